/**
 * The bookkeeping of one merge pass over a read model's current and rebuilt documents, both in
 * ascending id order: counts, missing / extra / changed documents with example ids, and canonical
 * checksums. Each store drives its own loop (SQLite synchronously inside a snapshot transaction,
 * MongoDB over async cursors) and feeds the two heads to `step`.
 */
import type { CollectionComparison, CompareOptions, DocumentDifferences } from '../stores/readModel.js';
import { CollectionChecksum } from './checksum.js';

/** A document as compared and hashed: its id, workspace and the API document's JSON as stored. */
export interface ComparedDocument {
  id: string;
  workspaceId: string;
  json: string;
}

export type CollectionCounts = Omit<CollectionComparison, 'projection' | 'collection'>;

export class DocumentComparison {
  private readonly missing: DocumentDifferences = { count: 0, examples: [] };
  private readonly extra: DocumentDifferences = { count: 0, examples: [] };
  private readonly changed: DocumentDifferences = { count: 0, examples: [] };
  private readonly currentSum = new CollectionChecksum();
  private readonly rebuiltSum = new CollectionChecksum();
  private current = 0;
  private rebuilt = 0;

  constructor(private readonly options: CompareOptions) {}

  /**
   * Takes the smaller head (or both when their ids are equal) and says which sides to advance.
   * Call while at least one side has a head.
   */
  step(current: ComparedDocument | undefined, rebuilt: ComparedDocument | undefined): { current: boolean; rebuilt: boolean } {
    if (current && (!rebuilt || current.id < rebuilt.id)) {
      this.note(this.extra, current.id);
      this.countCurrent(current);
      return { current: true, rebuilt: false };
    }
    if (rebuilt && (!current || rebuilt.id < current.id)) {
      this.note(this.missing, rebuilt.id);
      this.countRebuilt(rebuilt);
      return { current: false, rebuilt: true };
    }
    if (!current || !rebuilt) throw new Error('DocumentComparison.step needs at least one document');
    if (current.json !== rebuilt.json || current.workspaceId !== rebuilt.workspaceId) this.note(this.changed, current.id);
    this.countCurrent(current);
    this.countRebuilt(rebuilt);
    return { current: true, rebuilt: true };
  }

  result(): CollectionCounts {
    return {
      current: this.current,
      rebuilt: this.rebuilt,
      missing: this.missing,
      extra: this.extra,
      changed: this.changed,
      ...(this.options.checksums ? { checksums: { current: this.currentSum.digest(), rebuilt: this.rebuiltSum.digest() } } : {}),
    };
  }

  private note(differences: DocumentDifferences, id: string): void {
    if (!this.options.differences) return;
    differences.count += 1;
    if (differences.examples.length < this.options.examples) differences.examples.push(id);
  }

  private countCurrent(doc: ComparedDocument): void {
    if (this.options.checksums) this.currentSum.add(doc.id, doc.workspaceId, doc.json);
    this.current += 1;
  }

  private countRebuilt(doc: ComparedDocument): void {
    if (this.options.checksums) this.rebuiltSum.add(doc.id, doc.workspaceId, doc.json);
    this.rebuilt += 1;
  }
}

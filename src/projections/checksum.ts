/**
 * The canonical checksum of a read model, so operators can compare two read models (the current
 * one and a rebuilt one, or the same store before and after a rebuild) by one short string.
 *
 * A collection's checksum is SHA-256 over its documents in id order (code-point order; ids are
 * ASCII), one line each: `<id> TAB <workspaceId> TAB <document JSON as stored> LF`. The read
 * model's checksum is SHA-256 over `<collection> TAB <collection checksum> LF` in collection name
 * order. Documents are hashed byte for byte as stored (JSON.stringify of the projection's output),
 * because replaying the same events must give byte-identical documents.
 */
import { createHash, type Hash } from 'node:crypto';

export const emptyChecksum = `sha256:${createHash('sha256').digest('hex')}`;

export class CollectionChecksum {
  private readonly hash: Hash = createHash('sha256');
  count = 0;

  add(id: string, workspaceId: string, docJson: string): void {
    this.hash.update(`${id}\t${workspaceId}\t${docJson}\n`);
    this.count += 1;
  }

  digest(): string {
    return `sha256:${this.hash.digest('hex')}`;
  }
}

/** The read model's checksum from its collections' checksums. */
export const combineChecksums = (collections: ReadonlyMap<string, string>): string => {
  const hash = createHash('sha256');
  const byName = [...collections].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, checksum] of byName) hash.update(`${name}\t${checksum}\n`);
  return `sha256:${hash.digest('hex')}`;
};

/** A collection's checksum and its number of documents. */
export interface CollectionSum {
  checksum: string;
  documents: number;
}

/** What an operator's checksum of a live read model reports: the read model's checksum and each collection's. */
export interface ReadModelChecksum {
  checksum: string;
  collections: Record<string, CollectionSum>;
}

/** The report of a live read model's checksum, from its collections' sums (by collection name). */
export const readModelChecksum = (sums: ReadonlyMap<string, CollectionSum>): ReadModelChecksum => ({
  checksum: combineChecksums(new Map([...sums].map(([collection, sum]) => [collection, sum.checksum]))),
  collections: Object.fromEntries(sums),
});

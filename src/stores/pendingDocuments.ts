/**
 * Read-your-writes when an asynchronous read model is late. A create that timed out waiting for
 * the projector answers with the document projected from its own event; that document is kept
 * here (bounded, short-lived) and served by reads on this instance until the read model has it.
 * In the embedded profile nothing is ever remembered: projections commit with the append.
 */
import type { Projection } from '../projections/projection.js';
import type { StoredEvent } from './eventStore.js';
import type { Document, Query, QueryPage, ReadModelStore } from './readModel.js';

interface Entry {
  document: Document;
  expiresAt: number;
}

export class PendingDocuments {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  remember(collection: string, document: Document): void {
    this.entries.set(`${collection}/${document.id}`, { document, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.maxEntries) {
      // The earliest remembered: a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  lookup(collection: string, workspaceId: string, id: string): Document | null {
    const key = `${collection}/${id}`;
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.document.workspaceId === workspaceId ? entry.document : null;
  }

  forget(collection: string, id: string): void {
    this.entries.delete(`${collection}/${id}`);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** The read model, falling back to the pending documents for what it does not hold yet. */
export class ReadYourWritesReadModel implements ReadModelStore {
  constructor(
    private readonly inner: ReadModelStore,
    readonly pending: PendingDocuments,
  ) {}

  async find(collection: string, workspaceId: string, id: string): Promise<Document | null> {
    const found = await this.inner.find(collection, workspaceId, id);
    if (found) {
      if (this.pending.size > 0) this.pending.forget(collection, id);
      return found;
    }
    return this.pending.lookup(collection, workspaceId, id);
  }

  /** Queries read the read model alone: a list may miss a document this instance has only pending. */
  query(collection: string, workspaceId: string, query: Query): Promise<QueryPage> {
    return this.inner.query(collection, workspaceId, query);
  }

  async findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]> {
    const found = await this.inner.findMany(collection, workspaceId, ids);
    if (this.pending.size === 0 || found.length === new Set(ids).size) return found;
    const have = new Set(found.map((d) => d.id));
    for (const id of new Set(ids)) {
      if (have.has(id)) continue;
      const document = this.pending.lookup(collection, workspaceId, id);
      if (document) found.push(document);
    }
    return found;
  }

  apply(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void> {
    return this.inner.apply(projections, events);
  }

  checkpoint(projection: string): Promise<bigint | null> {
    return this.inner.checkpoint(projection);
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

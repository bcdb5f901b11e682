/**
 * The read-model port: denormalized documents written by projections, read by the API.
 * Adapters: SQLite (embedded default) and MongoDB (production).
 *
 * A projection's documents and its checkpoint are written together by `apply`, so a crash can
 * never leave a checkpoint ahead of the documents it covers. Each document remembers the position
 * of the last event applied to it, so applying an event twice changes nothing.
 */
import type { Projection } from '../projections/projection.js';
import type { StoredEvent } from './eventStore.js';

export type Document = Record<string, unknown> & { id: string; workspaceId: string };

export interface ReadModelStore {
  /** The document with this id in this workspace, or null (also when it lives in another workspace). */
  find(collection: string, workspaceId: string, id: string): Promise<Document | null>;
  findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]>;
  /** Apply events (in position order) to the given projections and advance their checkpoints in the same write. */
  apply(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void>;
  /** Position of the last event a projection has applied, or null when it has applied none. */
  checkpoint(projection: string): Promise<bigint | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Optional capability of a read model: a blue/green rebuild. The projections' documents are built
 * aside (new tables or collections) while the current ones keep serving, then swapped in one step.
 * Used by src/projections/rebuild.ts; the SQLite implementation is src/stores/sqlite/sqliteRebuild.ts.
 */
export interface RebuildableReadModel {
  beginRebuild(projections: readonly Projection[], options: BeginRebuildOptions): Promise<RebuildTarget>;
}

export interface BeginRebuildOptions {
  /**
   * What projections read, for events the target reads itself (the tail it catches up on before a
   * switch): the event upcast, or null when it must be skipped.
   */
  prepare(event: StoredEvent): StoredEvent | null;
  /**
   * True when `prepare` is the standard one (upcast, leave out what cannot be projected, note it):
   * the target may then do the same itself, e.g. in worker threads, and call `prepare` only for
   * the events it leaves out.
   */
  prepareIsStandard?: boolean;
  /** When set, only events of these types matter: the target may leave the others unread. */
  types?: readonly string[];
}

export interface RebuildTarget {
  /** Position of the last event applied to the new documents (null before the first). */
  readonly position: bigint | null;
  /**
   * Applies a page of events, in position order, to the new documents in one write. `through`
   * (default: the last event's position) is the position the page covers, so that events the
   * caller skipped at its end are not read again.
   */
  applyPage(events: readonly StoredEvent[], through?: bigint): Promise<void>;
  /**
   * Optional, for targets that live next to the log (SQLite: the same database): applies the log
   * after `position` up to its head, reading it page by page itself, each page in one write.
   * Returns the number of events applied. Without it, the caller feeds `applyPage`.
   */
  catchUp?(options: { pageSize: number; onPage?: (applied: number, position: bigint | null) => void }): Promise<number>;
  /**
   * Brings the new documents to the head of the log and compares them with the current ones at one
   * consistent position. `applied` counts the events the catch-up applied.
   */
  compare(options: CompareOptions): Promise<Comparison & { applied: number }>;
  /**
   * Brings the new documents to the head of the log and makes them the current ones in one atomic
   * step (with the projections' checkpoints), then drops the old ones.
   */
  switchOver(): Promise<{ applied: number; position: bigint | null }>;
  /** Drops the new documents; the current ones are untouched. */
  discard(): Promise<void>;
}

export interface CompareOptions {
  /** Compute canonical checksums of both sides. */
  checksums: boolean;
  /** Compute missing / extra / changed documents. */
  differences: boolean;
  /** Example ids kept per kind of difference. */
  examples: number;
}

export interface DocumentDifferences {
  count: number;
  /** Up to `examples` ids, in id order. */
  examples: string[];
}

export interface CollectionComparison {
  projection: string;
  collection: string;
  /** Documents in the current read model and in the rebuilt one. */
  current: number;
  rebuilt: number;
  /** Rebuilt but absent from the current read model. */
  missing: DocumentDifferences;
  /** In the current read model but not produced by the log. */
  extra: DocumentDifferences;
  /** In both, with different contents. */
  changed: DocumentDifferences;
  checksums?: { current: string; rebuilt: string };
}

export interface Comparison {
  /** Both sides reflect the log up to this position. */
  position: bigint | null;
  collections: CollectionComparison[];
  /** Over every compared collection, when checksums were asked for. */
  checksums?: { current: string; rebuilt: string };
}

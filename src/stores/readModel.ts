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

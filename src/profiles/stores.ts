/** What a profile opener hands the composition root: the ports, wired, and how to watch and close them. */
import type { ProjectionProgress } from '../projections/projector.js';
import type { EventStore } from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';

export interface Stores {
  events: EventStore;
  readModel: ReadModelStore;
  progress: ProjectionProgress;
  /** Per-store health for /healthz; ok is false when any store does not answer. */
  health(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  /** Size of the read model's in-memory document cache, when it has one (for metrics). */
  documentCache?: () => { entries: number; bytes: number };
  close(): Promise<void>;
}

/** Optional observers of store internals, for metrics. */
export interface StoreObservers {
  /** Each SQLite append transaction: appends it held, seconds it took. */
  onCommit?: (batchSize: number, seconds: number) => void;
}

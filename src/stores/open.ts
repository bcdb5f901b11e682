/**
 * Opens the stores the configuration names. Called only by the composition root (and tests that
 * want the same wiring). The embedded profile applies projections inline, in the append's own
 * transaction; the production profile projects asynchronously (see ./production.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import { allProjections } from '../projections/index.js';
import { withUpcasting } from '../events/upcasters.js';
import { projectableEvents, SkippedEvents } from '../projections/projectableEvents.js';
import { catchUp, inlineProgress, type ProjectionProgress } from '../projections/projector.js';
import type { EventStore } from './eventStore.js';
import { openProductionStores } from './production.js';
import type { ReadModelStore } from './readModel.js';
import { SqliteStore } from './sqlite/sqliteStore.js';

export interface Stores {
  events: EventStore;
  readModel: ReadModelStore;
  progress: ProjectionProgress;
  /** Per-store health for /healthz; ok is false when any store does not answer. */
  health(): Promise<{ ok: boolean; checks: Record<string, unknown> }>;
  close(): Promise<void>;
}

export const sqliteDatabasePath = (dataDir: string): string => path.join(dataDir, 'sessions.db');

export const openEmbeddedStores = async (dataDir: string, logger: Logger, options: { groupCommit?: boolean } = {}): Promise<Stores> => {
  fs.mkdirSync(dataDir, { recursive: true });
  const store = new SqliteStore({
    path: sqliteDatabasePath(dataDir),
    inlineProjections: allProjections,
    groupCommit: options.groupCommit ?? true,
  });
  // Projections added since the last run (or a read model rebuilt elsewhere) catch up before serving.
  // They read the log upcast, skipping (with a warning) events this release cannot project.
  const skipped = new SkippedEvents((details, message) => logger.warn(details, message));
  const caughtUp = await catchUp(projectableEvents(store, skipped), store, allProjections);
  if (caughtUp.applied > 0) logger.info({ applied: caughtUp.applied }, 'read models caught up from their checkpoints');
  return {
    // Every read of the log (write path, audit) sees events in their current shape.
    events: withUpcasting(store),
    readModel: store,
    progress: inlineProgress(),
    health: async () => {
      try {
        await store.ping();
        return { ok: true, checks: { eventStore: { kind: 'sqlite', ok: true }, readStore: { kind: 'sqlite', ok: true }, projectionLag: 0 } };
      } catch (error) {
        return { ok: false, checks: { eventStore: { kind: 'sqlite', ok: false, error: String(error) } } };
      }
    },
    close: () => store.close(),
  };
};

export const openStores = async (config: Config, logger: Logger): Promise<Stores> => {
  if (config.eventStore === 'sqlite' && config.readStore === 'sqlite') {
    return openEmbeddedStores(config.dataDir, logger, { groupCommit: config.sqliteGroupCommit });
  }
  const stores = await openProductionStores(config, logger);
  // Every read of the log (write path, audit) sees events in their current shape.
  return { ...stores, events: withUpcasting(stores.events) };
};

/**
 * Embedded profile: the event log and the read models in one SQLite database, projections applied
 * inline, in the append's own transaction. Also what a rebuild of that read model opens.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { upcasters } from '../events/upcasters.js';
import type { Logger } from '../logger.js';
import { allProjections } from '../projections/index.js';
import { projectableEvents, SkippedEvents } from '../projections/projectableEvents.js';
import { catchUp, inlineProgress } from '../projections/projector.js';
import * as registry from '../projections/registry.js';
import type { RebuildSource } from '../projections/rebuild.js';
import type { RebuildableReadModel } from '../stores/readModel.js';
import { sqliteRebuildable, type SqliteRebuildSettings } from '../stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../stores/sqlite/sqliteStore.js';
import { withUpcasting } from '../stores/upcasting.js';
import type { StoreObservers, Stores } from './stores.js';

export const sqliteDatabasePath = (dataDir: string): string => path.join(dataDir, 'sessions.db');

export const openEmbeddedStores = async (
  dataDir: string,
  logger: Logger,
  options: { groupCommit?: boolean; documentCacheBytes?: number } & StoreObservers = {},
): Promise<Stores> => {
  fs.mkdirSync(dataDir, { recursive: true });
  const store = new SqliteStore({
    path: sqliteDatabasePath(dataDir),
    inlineProjections: allProjections,
    groupCommit: options.groupCommit ?? true,
    ...(options.documentCacheBytes === undefined ? {} : { documentCacheBytes: options.documentCacheBytes }),
    ...(options.onCommit ? { onCommit: options.onCommit } : {}),
  });
  // Projections added since the last run (or a read model rebuilt elsewhere) catch up before serving.
  // They read the log upcast, skipping (with a warning) events this release cannot project.
  const skipped = new SkippedEvents((details, message) => {
    logger.warn(details, message);
  });
  const caughtUp = await catchUp(projectableEvents(store, skipped), store, allProjections);
  if (caughtUp.applied > 0) logger.info({ applied: caughtUp.applied }, 'read models caught up from their checkpoints');
  return {
    // Every read of the log (write path, audit) sees events in their current shape.
    events: withUpcasting(store, upcasters),
    readModel: store,
    progress: inlineProgress(),
    health: async () => {
      try {
        await store.ping();
        return {
          ok: true,
          checks: { eventStore: { kind: 'sqlite', ok: true }, readStore: { kind: 'sqlite', ok: true }, projectionLag: 0 },
        };
      } catch (error) {
        return { ok: false, checks: { eventStore: { kind: 'sqlite', ok: false, error: String(error) } } };
      }
    },
    documentCache: () => store.documentCacheStats(),
    close: () => store.close(),
  };
};

/** Worker threads of a rebuild of the embedded read model: 1 when the machine has at least 2 CPUs, else 0. */
export const defaultWorkers = (): number => (os.availableParallelism() >= 2 ? 1 : 0);

export interface EmbeddedRebuildOptions {
  /**
   * Worker threads computing documents while the rebuild's thread writes them (default:
   * defaultWorkers()), used when the log holds at least `parallelThreshold` events (default 20,000).
   */
  workers?: number;
  parallelThreshold?: number;
}

/**
 * What a rebuild of the embedded read model reads and rebuilds: the database at a path (opened on a
 * connection of its own, closed by `close`), or a store the caller has open (the API's own).
 */
export const openEmbeddedRebuild = (
  store: SqliteStore | string,
  options: EmbeddedRebuildOptions = {},
): RebuildSource & { close(): Promise<void> } => {
  const parallel: Partial<SqliteRebuildSettings> = {
    workers: options.workers ?? defaultWorkers(),
    // The workers load the projections and the standard rule from the registry module, by its URL.
    registry,
    ...(options.parallelThreshold === undefined ? {} : { parallelThreshold: options.parallelThreshold }),
  };
  if (typeof store === 'string') {
    if (!fs.existsSync(store)) throw new Error(`no database at ${store}`);
    const opened = new SqliteStore({ path: store });
    return { events: opened, readModel: sqliteRebuildable(opened.db, { ownConnection: true, ...parallel }), close: () => opened.close() };
  }
  // The rebuild swaps tables on the store's own connection: its document cache must forget them.
  const rebuildable = sqliteRebuildable(store.db, parallel);
  const readModel: RebuildableReadModel = {
    beginRebuild: async (projections, beginOptions) => {
      const target = await rebuildable.beginRebuild(projections, beginOptions);
      const switchOver = target.switchOver.bind(target);
      return Object.assign(target, {
        switchOver: async () => {
          try {
            return await switchOver();
          } finally {
            store.invalidateDocumentCache();
          }
        },
      });
    },
  };
  return {
    events: store,
    readModel,
    close: async () => {
      // The caller's store: it stays open for the caller.
    },
  };
};

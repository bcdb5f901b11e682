/**
 * A rebuild of the service's own read models: opens what the orchestrator
 * (src/projections/rebuild.ts) rebuilds and reads, runs it, and closes what it opened. `store` is
 * the embedded database (its path, or the store the API has open) or an opened
 * `{ events, readModel }` (e.g. from openMongoRebuild in ./production.ts).
 */
import {
  checkRebuildOptions,
  rebuild as rebuildReadModels,
  type RebuildOptions,
  type RebuildResult,
  type RebuildSource,
} from '../projections/rebuild.js';
import { SqliteStore } from '../stores/sqlite/sqliteStore.js';
import { openEmbeddedRebuild, type EmbeddedRebuildOptions } from './embedded.js';

export type RebuildStore = SqliteStore | string | RebuildSource;

export interface ProfileRebuildOptions extends Omit<RebuildOptions, 'store'>, EmbeddedRebuildOptions {
  store: RebuildStore;
}

export const rebuild = async (options: ProfileRebuildOptions): Promise<RebuildResult> => {
  // A mistyped projection name or page size is reported before anything is opened.
  checkRebuildOptions(options);
  const { store, workers, parallelThreshold, ...rest } = options;
  const opened =
    typeof store === 'string' || store instanceof SqliteStore
      ? openEmbeddedRebuild(store, { workers, parallelThreshold })
      : {
          ...store,
          close: async () => {
            // The caller opened this store and closes it.
          },
        };
  try {
    return await rebuildReadModels({ ...rest, store: { events: opened.events, readModel: opened.readModel } });
  } finally {
    await opened.close();
  }
};

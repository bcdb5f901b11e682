/**
 * Opens the stores the configuration names. Called only by the composition root (src/main.ts),
 * the CLIs and tests that want the same wiring. The embedded profile applies projections inline,
 * in the append's own transaction (./embedded.ts); the production profile projects asynchronously
 * (./production.ts).
 */
import type { Config } from '../config.js';
import { upcasters } from '../events/upcasters.js';
import type { Logger } from '../logger.js';
import { withUpcasting } from '../stores/upcasting.js';
import { openEmbeddedStores } from './embedded.js';
import { openProductionStores } from './production.js';
import type { StoreObservers, Stores } from './stores.js';

export type { StoreObservers, Stores };
export { openEmbeddedStores, sqliteDatabasePath } from './embedded.js';

export const openStores = async (config: Config, logger: Logger, observers: StoreObservers = {}): Promise<Stores> => {
  if (config.eventStore === 'sqlite' && config.readStore === 'sqlite') {
    return openEmbeddedStores(config.dataDir, logger, {
      groupCommit: config.sqliteGroupCommit,
      documentCacheBytes: config.documentCacheBytes,
      ...observers,
    });
  }
  const stores = await openProductionStores(config, logger, observers);
  // Every read of the log (write path, audit) sees events in their current shape.
  return { ...stores, events: withUpcasting(stores.events, upcasters) };
};

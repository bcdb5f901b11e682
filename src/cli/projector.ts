/**
 * npm run projector   (in a built image: node dist/cli/projector.js)
 * Runs the asynchronous projector of the production profile as its own process, for scale-out:
 * API instances then run with PROJECTOR=external. Same configuration as the API (EVENT_STORE,
 * READ_STORE, KURRENTDB_URL, MONGODB_URL, MONGODB_DB, POSTGRES_URL, LOG_LEVEL). Several projector
 * processes may run: the lease (a MongoDB document, or a PostgreSQL advisory lock) lets one write
 * at a time, the others wait to take over.
 */
import { workspaceTimeZones } from '../events/upcasters.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { exitOnShutdownSignals } from '../shutdown.js';
import { createProjector, openEventSide, openReadStore } from '../profiles/production.js';
import { allProjections } from '../projections/index.js';
import { assertCheckpointsWithinLog } from '../stores/kurrentdb/checkpointGuard.js';

const main = async (): Promise<void> => {
  // The projector verifies no tokens: any secret satisfies the shared configuration loader.
  const config = loadConfig(process.env, () => 'projector-does-not-verify-tokens-0000000000');
  if (config.readStore === 'sqlite') {
    throw new ConfigError(
      'READ_STORE',
      'the projector process is for READ_STORE=mongodb or postgres (the embedded profile projects inline)',
    );
  }
  const logger = createLogger(config.logLevel);
  const side = await openEventSide(config);
  const readSide = await openReadStore(config).catch(async (error: unknown) => {
    await side.events.close();
    throw error;
  });
  await assertCheckpointsWithinLog(side.events, readSide.readModel, allProjections).catch(async (error: unknown) => {
    await Promise.allSettled([side.events.close(), readSide.close()]);
    throw error;
  });
  const projector = createProjector(side, readSide, logger, undefined, await workspaceTimeZones(side.events));
  projector.start();
  logger.info({ eventStore: config.eventStore, readStore: config.readStore }, 'projector process started');

  exitOnShutdownSignals('finishing the current batch, releasing the lease', () =>
    projector.stop().then(() => Promise.allSettled([side.events.close(), readSide.close()])),
  );
};

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? `Configuration error: ${error.message}`
      : `Projector failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});

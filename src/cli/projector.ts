/**
 * npm run projector   (in a built image: node dist/cli/projector.js)
 * Runs the asynchronous projector of the production profile as its own process, for scale-out:
 * API instances then run with PROJECTOR=external. Same configuration as the API (EVENT_STORE,
 * READ_STORE, KURRENTDB_URL, MONGODB_URL, MONGODB_DB, LOG_LEVEL). Several projector processes may
 * run: the MongoDB lease lets one write at a time, the others wait to take over.
 */
import { workspaceTimeZones } from '../events/upcasters.js';
import { ConfigError, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { exitOnShutdownSignals } from '../shutdown.js';
import { createProjector, openEventSide, openReadSide } from '../profiles/production.js';
import { allProjections } from '../projections/index.js';
import { assertCheckpointsWithinLog } from '../stores/kurrentdb/checkpointGuard.js';

const main = async (): Promise<void> => {
  // The projector verifies no tokens: any secret satisfies the shared configuration loader.
  const config = loadConfig(process.env, () => 'projector-does-not-verify-tokens-0000000000');
  if (config.readStore !== 'mongodb') {
    throw new ConfigError('READ_STORE', 'the projector process is for READ_STORE=mongodb (the embedded profile projects inline)');
  }
  const logger = createLogger(config.logLevel);
  const side = await openEventSide(config);
  const readModel = await openReadSide(config).catch(async (error: unknown) => {
    await side.events.close();
    throw error;
  });
  await assertCheckpointsWithinLog(side.events, readModel, allProjections).catch(async (error: unknown) => {
    await Promise.allSettled([side.events.close(), readModel.close()]);
    throw error;
  });
  const projector = createProjector(side, readModel, logger, undefined, await workspaceTimeZones(side.events));
  projector.start();
  logger.info({ eventStore: config.eventStore, database: config.mongodbDb }, 'projector process started');

  exitOnShutdownSignals('finishing the current batch, releasing the lease', () =>
    projector.stop().then(() => Promise.allSettled([side.events.close(), readModel.close()])),
  );
};

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Projector failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});

/**
 * npm run projector   (in a built image: node dist/cli/projector.js)
 * Runs the asynchronous projector of the production profile as its own process, for scale-out:
 * API instances then run with PROJECTOR=external. Same configuration as the API (EVENT_STORE,
 * READ_STORE, KURRENTDB_URL, MONGODB_URL, MONGODB_DB, POSTGRES_URL, LOG_LEVEL). Several projector
 * processes may run: the lease (a MongoDB document, or a PostgreSQL advisory lock) lets one write
 * at a time, the others wait to take over. With METRICS_PORT (and METRICS_HOST) it serves
 * `/metrics`, `/healthz` and `/readyz` there, on the API's metrics listener.
 */
import { Registry } from 'prom-client';
import { workspaceTimeZones } from '../events/upcasters.js';
import { ConfigError, loadConfig, projectionLagCountLimit } from '../config.js';
import { startMetricsListener, type MetricsListener } from '../http/metrics/metricsListener.js';
import { projectionProgress } from '../http/metrics/projectionProgress.js';
import { createProjectorMetrics } from '../http/metrics/projectorMetrics.js';
import { projectorProbeRoutes } from '../http/metrics/projectorProbes.js';
import { registerStateGauges } from '../http/metrics/serviceMetrics.js';
import { createLogger } from '../logger.js';
import { exitOnShutdownSignals } from '../shutdown.js';
import { createProjector, openEventSide, openReadStore, pingStores } from '../profiles/production.js';
import type { AsyncProjector } from '../projections/asyncProjector.js';
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
  const closeStores = () => Promise.allSettled([side.events.close(), readSide.close()]);
  await assertCheckpointsWithinLog(side.events, readSide.readModel, allProjections).catch(async (error: unknown) => {
    await closeStores();
    throw error;
  });
  const timeZones = await workspaceTimeZones(side.events);
  const { port, host } = config.metrics;

  let projector: AsyncProjector;
  let listener: MetricsListener | undefined;
  if (port === undefined) {
    projector = createProjector(side, readSide, logger, undefined, timeZones);
  } else {
    const registry = new Registry();
    // The projector's own reads and writes are observed; the gauges read the stores undecorated.
    const metrics = createProjectorMetrics(registry, () => projector.status());
    projector = createProjector(
      { ...side, source: metrics.source(side.source) },
      { ...readSide, readModel: metrics.readModel(readSide.readModel) },
      logger,
      undefined,
      timeZones,
    );
    registerStateGauges(registry, {
      projections: projectionProgress({
        events: side.events,
        readModel: readSide.readModel,
        projections: allProjections.map((p) => p.name),
        countLimit: projectionLagCountLimit,
      }),
      onCollectError: (what, error) => {
        logger.warn({ err: error, what }, 'metrics: reading a store failed');
      },
    });
    const health = async () => {
      const [eventStore, readStore] = await pingStores(side, readSide);
      return { ok: eventStore.ok && readStore.ok, checks: { eventStore, readStore, projector: projector.status() } };
    };
    listener = await startMetricsListener({
      registry,
      logger,
      port,
      host,
      routers: projectorProbeRoutes({ health, status: () => projector.status() }),
    }).catch(async (error: unknown) => {
      await closeStores();
      throw error;
    });
  }
  projector.start();
  logger.info({ eventStore: config.eventStore, readStore: config.readStore, metricsUrl: listener?.url }, 'projector process started');

  exitOnShutdownSignals('finishing the current batch, releasing the lease', async () => {
    await projector.stop();
    await listener?.close();
    await closeStores();
  });
};

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? `Configuration error: ${error.message}`
      : `Projector failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(error instanceof ConfigError ? 2 : 1);
});

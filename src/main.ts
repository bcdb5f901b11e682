/**
 * Composition root: the only place that reads configuration, opens stores and wires the app.
 * `start` is exported so tests run exactly this wiring on an ephemeral port.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import type Koa from 'koa';
import { Registry } from 'prom-client';
import { createTokenVerifier } from './auth/tokens.js';
import { systemClock, systemIds, type Clock, type IdGenerator } from './commands/deps.js';
import type { CommandDeps } from './commands/handle.js';
import { StreamLocks } from './commands/streamLocks.js';
import type { ReadBackDeps } from './projections/readBack.js';
import { ConfigError, loadConfig, projectionLagCountLimit, type Config } from './config.js';
import { seedDemo } from './demo.js';
import { developmentSecret } from './devSecret.js';
import { buildApp } from './http/app.js';
import { openRateLimiters } from './http/rateLimiters.js';
import { createHttpServer } from './http/server.js';
import type { AppContext, AppState } from './http/context.js';
import { countingEventStore } from './http/metrics/countingEventStore.js';
import { listeningUrl, startMetricsListener, type MetricsListener } from './http/metrics/metricsListener.js';
import { projectionProgress } from './http/metrics/projectionProgress.js';
import { createServiceMetrics, registerStateGauges, type ServiceMetrics } from './http/metrics/serviceMetrics.js';
import { openApiDocument } from './http/openapi/document.js';
import { createLogger, type Logger } from './logger.js';
import { openStores, type Stores } from './profiles/index.js';
import { allProjections } from './projections/index.js';
import { exitOnShutdownSignals } from './shutdown.js';
import { PendingDocuments, ReadYourWritesReadModel } from './stores/pendingDocuments.js';

export interface Running {
  app: Koa<AppState, AppContext>;
  server: Server;
  url: string;
  /** The METRICS_PORT listener's address, when one is configured. */
  metricsUrl?: string;
  metrics: ServiceMetrics;
  stores: Stores;
  commands: CommandDeps;
  /** Stops accepting connections, lets in-flight requests finish, then closes the stores. */
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  clock?: Clock;
  ids?: IdGenerator;
}

/** The version in the nearest package.json above this module (src/, dist/ or the bench's dist/.bench/src/). */
const packageVersion = (): string => {
  for (const relative of ['../package.json', '../../package.json', '../../../package.json']) {
    const file = new URL(relative, import.meta.url);
    if (fs.existsSync(file)) return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'unversioned';
};

export const start = async (config: Config, options: StartOptions = {}): Promise<Running> => {
  const logger = options.logger ?? createLogger(config.logLevel);
  // One registry per running service, created here and handed to whatever records into it.
  const registry = new Registry();
  const exposed = config.metrics.token !== undefined || config.metrics.port !== undefined;
  const metrics = createServiceMetrics(registry, { defaultMetrics: exposed });
  const stores = await openStores(config, logger, {
    onCommit: (batchSize, seconds) => {
      metrics.commitBatchSize.observe(batchSize);
      metrics.commitDuration.observe(seconds);
    },
  });
  const projections = projectionProgress({
    events: stores.events,
    readModel: stores.readModel,
    projections: allProjections.map((p) => p.name),
    countLimit: projectionLagCountLimit,
  });
  registerStateGauges(registry, {
    projections,
    ...(stores.documentCache ? { documentCache: stores.documentCache } : {}),
    onCollectError: (what, error) => {
      logger.warn({ err: error, what }, 'metrics: reading a store failed');
    },
  });
  // Reads on this instance see what its creates answered, even while an async read model lags.
  const pending = new PendingDocuments();
  const readModel = new ReadYourWritesReadModel(stores.readModel, pending);
  const commands: CommandDeps = {
    events: countingEventStore(stores.events, metrics.eventsAppended),
    readModel,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? systemIds,
    logger,
    locks: new StreamLocks(),
  };
  const reads: ReadBackDeps = { readModel, progress: stores.progress, logger, projectionWaitMs: config.projectionWaitMs, pending };
  let rateLimiters;
  try {
    rateLimiters = await openRateLimiters(config.rateLimit);
  } catch (error) {
    await stores.close();
    throw error;
  }
  const app = buildApp({
    commands,
    reads,
    verifier: createTokenVerifier(config.jwt),
    logger,
    bodyLimitBytes: config.bodyLimitBytes,
    health: () => stores.health(),
    rateLimiters,
    readiness: { projections, maxProjectionLag: config.readyMaxProjectionLag },
    metrics,
    ...(config.metrics.token === undefined ? {} : { metricsToken: config.metrics.token }),
    openApi: openApiDocument(packageVersion()),
  });

  if (config.seedDemo) await seedDemo(config, commands, logger);

  const handleRequest = app.callback();
  const http = createHttpServer(
    (req, res) => {
      // Koa answers every failure itself (its promise does not reject): nothing to wait for here.
      void handleRequest(req, res);
    },
    config.server,
    logger,
  );
  const { server } = http;
  server.listen(config.port, config.host);
  const url = await listeningUrl(server);
  let metricsListener: MetricsListener | undefined;
  if (config.metrics.port !== undefined) {
    try {
      metricsListener = await startMetricsListener({ registry, logger, port: config.metrics.port, host: config.metrics.host });
    } catch (error) {
      server.close();
      await stores.close();
      throw error;
    }
  }
  const metricsUrl = metricsListener?.url;
  logger.info(
    { url, metricsUrl, eventStore: config.eventStore, readStore: config.readStore, dataDir: config.dataDir, limits: config.server },
    'listening',
  );

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await http.drain(config.shutdownTimeoutMs);
      await rateLimiters.close();
      await metricsListener?.close();
      await stores.close();
      logger.info('stopped');
    })());

  return { app, server, url, ...(metricsUrl === undefined ? {} : { metricsUrl }), metrics, stores, commands, stop };
};

const runFromCommandLine = async (): Promise<void> => {
  let config: Config;
  try {
    config = loadConfig(process.env, developmentSecret);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const running = await start(config);
  exitOnShutdownSignals('finishing in-flight requests, then stopping', () => running.stop());
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runFromCommandLine().catch((error: unknown) => {
    process.stderr.write(`Failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}

/**
 * Composition root: the only place that reads configuration, opens stores and wires the app.
 * `start` is exported so tests run exactly this wiring on an ephemeral port.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createTokenVerifier } from './auth/tokens.js';
import { systemClock, systemIds, type Clock, type IdGenerator } from './commands/deps.js';
import type { CommandDeps } from './commands/handle.js';
import type { ReadBackDeps } from './projections/readBack.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { seedDemo } from './demo.js';
import { developmentSecret } from './devSecret.js';
import { buildApp } from './http/app.js';
import { openRateLimiters } from './http/rateLimiters.js';
import { createHttpServer } from './http/server.js';
import { createLogger, type Logger } from './logger.js';
import { openStores, type Stores } from './profiles/index.js';
import { exitOnShutdownSignals } from './shutdown.js';
import { PendingDocuments, ReadYourWritesReadModel } from './stores/pendingDocuments.js';

export interface Running {
  server: Server;
  url: string;
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

export const start = async (config: Config, options: StartOptions = {}): Promise<Running> => {
  const logger = options.logger ?? createLogger(config.logLevel);
  const stores = await openStores(config, logger);
  // Reads on this instance see what its creates answered, even while an async read model lags.
  const pending = new PendingDocuments();
  const readModel = new ReadYourWritesReadModel(stores.readModel, pending);
  const commands: CommandDeps = {
    events: stores.events,
    readModel,
    clock: options.clock ?? systemClock,
    ids: options.ids ?? systemIds,
    logger,
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
    health: stores.health,
    rateLimiters,
  });

  if (config.seedDemo) await seedDemo(config, commands, logger);

  const http = createHttpServer(app.callback(), config.server, logger);
  const { server } = http;
  server.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, eventStore: config.eventStore, readStore: config.readStore, dataDir: config.dataDir, limits: config.server }, 'listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await http.drain(config.shutdownTimeoutMs);
      await rateLimiters.close();
      await stores.close();
      logger.info('stopped');
    })());

  return { server, url, stores, commands, stop };
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

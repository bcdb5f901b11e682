/**
 * Starts the real composition root (src/main.ts `start`) on an ephemeral port with a fresh
 * temp data dir and a known JWT secret. The profile follows the environment: the embedded SQLite
 * store by default, KurrentDB/MongoDB/PostgreSQL when EVENT_STORE/READ_STORE and their URLs are
 * set. With PostgreSQL each test app gets a database of its own (dropped by destroy()).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { signToken, type TokenClaims } from '../../src/auth/tokens.js';
import { loadConfig, type Config } from '../../src/config.js';
import { start, type Running, type StartOptions } from '../../src/main.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import { ensureDatabase, dropDatabase, withDatabase } from '../postgres/support.js';

export const testSecret = 'test-secret-that-is-long-enough-for-hs256-0123456789';

export interface TestApp {
  url: string;
  config: Config;
  running: Running;
  dataDir: string;
  /** A token signed with the app's secret; expires in 1h unless `expiresIn` says otherwise. */
  token(claims: TokenClaims, expiresIn?: string | number): string;
  /** Position of the last event in the store (null when empty): rejected requests must not move it. */
  head(): Promise<bigint | null>;
  /** Every event in the store, in order. */
  allEvents(): Promise<StoredEvent[]>;
  /** Stops the server and closes the stores (data dir kept). */
  stop(): Promise<void>;
  /** Stops, then starts a new app on the same data dir. */
  restart(): Promise<TestApp>;
  /** Stops and deletes the data dir. */
  destroy(): Promise<void>;
}

export const testEnv = (dataDir: string, overrides: Record<string, string> = {}): Record<string, string | undefined> => ({
  DATA_DIR: dataDir,
  PORT: '0',
  HOST: '127.0.0.1',
  JWT_SECRET: testSecret,
  LOG_LEVEL: 'silent',
  SEED_DEMO: 'false',
  NODE_ENV: 'test',
  EVENT_STORE: process.env.EVENT_STORE,
  READ_STORE: process.env.READ_STORE,
  KURRENTDB_URL: process.env.KURRENTDB_URL,
  MONGODB_URL: process.env.MONGODB_URL,
  POSTGRES_URL: process.env.POSTGRES_URL,
  // Each test app gets its own database so that tests never see each other's data.
  MONGODB_DB: `sessions_test_${path.basename(dataDir).replace(/[^A-Za-z0-9]/g, '_')}`,
  // Suites send thousands of requests from one address and user; the rate-limit tests set their own budgets.
  RATE_LIMIT_PER_IP: '1000000',
  RATE_LIMIT_PER_USER: '1000000',
  ...overrides,
});

export const startTestApp = async (
  options: { env?: Record<string, string>; dataDir?: string; start?: StartOptions } = {},
): Promise<TestApp> => {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-test-'));
  const env = testEnv(dataDir, options.env);
  // Each test app gets its own PostgreSQL database, as it gets its own data dir; a restart keeps it.
  let database: string | undefined;
  if ((env.EVENT_STORE === 'postgres' || env.READ_STORE === 'postgres') && env.POSTGRES_URL && !options.env?.POSTGRES_URL) {
    database = `sessions_test_${path
      .basename(dataDir)
      .replace(/[^A-Za-z0-9]/g, '_')
      .toLowerCase()}`;
    await ensureDatabase(env.POSTGRES_URL, database);
    env.POSTGRES_URL = withDatabase(env.POSTGRES_URL, database);
  }
  const config = loadConfig(env, () => {
    throw new Error('tests always configure JWT_SECRET');
  });
  const running = await start(config, options.start);
  const app: TestApp = {
    url: running.url,
    config,
    running,
    dataDir,
    token: (claims, expiresIn = '1h') => signToken(config.jwt, claims, expiresIn as never),
    head: () => running.stores.events.headPosition(),
    allEvents: async () => {
      const events: StoredEvent[] = [];
      for await (const event of running.stores.events.readAll()) events.push(event);
      return events;
    },
    stop: () => running.stop(),
    restart: async () => {
      await running.stop();
      return startTestApp({ ...options, dataDir });
    },
    destroy: async () => {
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (database) await dropDatabase(process.env.POSTGRES_URL!, database);
    },
  };
  return app;
};

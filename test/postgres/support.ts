/**
 * PostgreSQL for tests: each suite creates a database of its own on POSTGRES_URL's server
 * (`sessions_test_<random>`) and drops it afterwards. Without POSTGRES_URL the suites are skipped
 * with a printed reason, except under CI=true, where a missing or unreachable server fails them.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { PostgresDatabase } from '../../src/stores/postgres/database.js';
import { PostgresEventStore } from '../../src/stores/postgres/postgresEventStore.js';
import { PostgresReadModel } from '../../src/stores/postgres/postgresReadModel.js';

const configuredUrl = process.env.POSTGRES_URL?.trim();
export const postgresUrl = configuredUrl === '' ? undefined : configuredUrl;
const inCi = process.env.CI === 'true';

export const skipReason = "set POSTGRES_URL (e.g. 'postgres://postgres@127.0.0.1:5432/postgres') to run the PostgreSQL suites";

/**
 * For a describe block's `before`: skips the block (printing why) when there is no server to use
 * outside CI; fails under CI.
 */
export function requirePostgres(this: Mocha.Context): void {
  if (postgresUrl) return;
  if (inCi) throw new Error(`CI=true but POSTGRES_URL is not set: the PostgreSQL suites must run in CI (${skipReason})`);
  console.log(`      skipped: ${skipReason}`);
  this.skip();
}

/** The URL with another database name. */
export const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

const admin = async <T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL at POSTGRES_URL does not answer: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};

/** Creates the database on the server of `url` unless it exists. */
export const ensureDatabase = (url: string, name: string): Promise<void> =>
  admin(url, async (client) => {
    await client.query(`CREATE DATABASE ${name}`).catch((error: unknown) => {
      const alreadyExists = error instanceof pg.DatabaseError && error.code === '42P04';
      if (!alreadyExists) throw error;
    });
  });

/** Drops the database (closing the connections still open to it). */
export const dropDatabase = (url: string, name: string): Promise<void> =>
  admin(url, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

export const createTestDatabase = async (prefix = 'sessions_test'): Promise<TestDatabase> => {
  if (!postgresUrl) throw new Error(skipReason);
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await ensureDatabase(postgresUrl, name);
  return { name, url: withDatabase(postgresUrl, name), drop: () => dropDatabase(postgresUrl, name) };
};

/** A migrated database with the event store and read model over one pool. */
export const openPostgresStores = async (
  options: { poolMax?: number; connectionTimeoutMs?: number; statementTimeoutMs?: number } = {},
): Promise<{
  database: TestDatabase;
  db: PostgresDatabase;
  events: PostgresEventStore;
  readModel: PostgresReadModel;
  cleanup: () => Promise<void>;
}> => {
  const database = await createTestDatabase();
  const db = new PostgresDatabase({ url: database.url, ...options });
  await db.migrate();
  const events = new PostgresEventStore(db);
  const readModel = new PostgresReadModel(db);
  return {
    database,
    db,
    events,
    readModel,
    cleanup: async () => {
      await events.close();
      await db.close();
      await database.drop();
    },
  };
};

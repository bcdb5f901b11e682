/**
 * The PostgreSQL connection pool shared by the event store and the read model of one process, and
 * the schema's versioned migrations.
 *
 * Failures that mean "the server cannot serve now" (refused or dropped connections, a server
 * shutting down or starting, a pool with no free connection within `connectionTimeoutMs`, a
 * statement cancelled by `statement_timeout`) become StoreUnavailableError, which the HTTP layer
 * answers with 503 and Retry-After. Everything else (a bug, a constraint) stays what it is.
 */
import pg from 'pg';
import { StoreUnavailableError } from '../../errors.js';
import { migrations } from './migrations.js';

export interface PostgresOptions {
  url: string;
  /** Connections in the pool. */
  poolMax?: number;
  /** How long a query waits for a free connection (or a new one) before it fails with 503. */
  connectionTimeoutMs?: number;
  /** Server-side limit of one statement; a statement cancelled by it fails with 503. */
  statementTimeoutMs?: number;
  /** Seconds a client is told to wait (Retry-After) when the store is unavailable. */
  retryAfterSeconds?: number;
  applicationName?: string;
}

export const defaultPostgresOptions = { poolMax: 10, connectionTimeoutMs: 2_000, statementTimeoutMs: 10_000, retryAfterSeconds: 2 };

/** SQLSTATE classes and codes that say the server (not the request) is the problem. */
const unavailableCodes = new Set([
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '08007',
  '08P01',
]);
const unavailableErrnos = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const unavailableMessages = [
  /timeout exceeded when trying to connect/i,
  /Connection terminated/i,
  /connection is closed/i,
  /Client has encountered a connection error/i,
  /Client was closed/i,
];

export const isUnavailable = (error: unknown): boolean => {
  if (error instanceof StoreUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableCodes.has(code) || unavailableErrnos.has(code))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return unavailableMessages.some((pattern) => pattern.test(error.message));
};

/** Unique-violation SQLSTATE. */
export const uniqueViolation = '23505';

export class PostgresDatabase {
  readonly pool: pg.Pool;
  readonly retryAfterSeconds: number;
  private closed = false;

  constructor(readonly options: PostgresOptions) {
    const settings = { ...defaultPostgresOptions, ...options };
    this.retryAfterSeconds = settings.retryAfterSeconds;
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: settings.poolMax,
      connectionTimeoutMillis: settings.connectionTimeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: options.applicationName ?? 'sessions-service',
      // Sent in the start-up packet: every connection has the limit, without an extra round trip.
      options: `-c statement_timeout=${settings.statementTimeoutMs}`,
    });
    // An idle connection the server drops (restart, failover) must not crash the process; the pool
    // discards it and the next query opens a new one.
    this.pool.on('error', () => undefined);
  }

  /** A StoreUnavailableError for server-side unavailability, the error itself otherwise. */
  translate(error: unknown): unknown {
    if (error instanceof StoreUnavailableError || !isUnavailable(error)) return error;
    return new StoreUnavailableError('PostgreSQL', this.retryAfterSeconds, error);
  }

  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.translate(error);
    }
    let broken: unknown;
    // A checked-out connection the server drops between two statements emits 'error' on the
    // client, not on a query: without a listener that would crash the process.
    const onError = (error: Error): void => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      if (isUnavailable(error)) broken = error;
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError;
      });
      throw this.translate(error);
    } finally {
      client.off('error', onError);
      // A connection that failed mid-transaction is not given back for reuse.
      client.release(broken instanceof Error ? broken : undefined);
    }
  }

  /**
   * Applies the migrations this release knows and the database lacks, in version order, in one
   * transaction under an advisory lock: instances starting at once wait for each other, and the
   * second finds the work done.
   */
  async migrate(): Promise<number[]> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [schemaLockKey]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const applied = new Set(rows.map((r) => r.version));
      const newest = Math.max(0, ...applied);
      const known = Math.max(...migrations.map((m) => m.version));
      if (newest > known) {
        throw new Error(`the database schema is at version ${newest}, newer than this release knows (${known}); run a newer release`);
      }
      const done: number[] = [];
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
        done.push(migration.version);
      }
      return done;
    });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/** The row of a statement that always answers exactly one (a SELECT of functions, without FROM). */
export const onlyRow = <Row>(rows: readonly Row[], statement: string): Row => {
  const row = rows[0];
  if (row === undefined) throw new Error(`${statement} answered no row`);
  return row;
};

/** Advisory-lock keys (one 64-bit key space per database). */
export const schemaLockKey = 0x5e55_0001;
export const collectionsLockKey = 0x5e55_0002;
export const projectorLockKeyBase = 0x5e55_1000;

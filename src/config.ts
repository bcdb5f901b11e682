/**
 * All configuration, read from the environment once and validated. A bad value fails start-up
 * with a message naming the variable.
 */
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Algorithm } from 'jsonwebtoken';

export type EventStoreKind = 'sqlite' | 'kurrentdb' | 'postgres';
export type ReadStoreKind = 'sqlite' | 'mongodb' | 'postgres';
export type ProjectorMode = 'in-process' | 'external';
export type RateLimitStoreKind = 'memory' | 'postgres';

/** Limits of the HTTP server itself, applied before a request reaches the app. */
export interface ServerLimits {
  /** Time a client has to send the request line and headers (slow-header clients are cut after it). */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Open connections beyond this are closed at once; kept below the process's open-file limit. */
  maxConnections: number;
}

export interface RateLimitConfig {
  /** 0 turns rate limiting off. */
  windowSeconds: number;
  /** Requests per window and client IP, counted before authentication; 0: no IP limit. */
  perIp: number;
  /** Requests per window and token subject (`sub`), counted after authentication; 0: no subject limit. */
  perUser: number;
  /** Where the counters live: this process (`memory`) or a PostgreSQL table shared by every instance. */
  store: RateLimitStoreKind;
  postgresUrl?: string;
  postgresTable: string;
}

export interface JwtConfig {
  /** HMAC secret, when verifying HS256 tokens. */
  secret?: string;
  /** PEM public key, when verifying RS256/ES256 tokens. */
  publicKey?: string;
  /** The only algorithms accepted; pinned so that `none` and HS/RS confusion cannot pass. */
  algorithms: Algorithm[];
  issuer?: string;
  audience?: string;
  /** True when the secret was generated for local development (no JWT_SECRET set). */
  development: boolean;
}

/**
 * The event store chosen, with what it cannot be reached without (loadConfig refuses the
 * configuration when that is missing).
 */
export type EventStoreChoice =
  { eventStore: 'sqlite' } | { eventStore: 'kurrentdb'; kurrentdbUrl: string } | { eventStore: 'postgres'; postgres: PostgresConfig };

/** The read store chosen, with what it cannot be reached without. */
export type ReadStoreChoice =
  { readStore: 'sqlite' } | { readStore: 'mongodb'; mongodbUrl: string } | { readStore: 'postgres'; postgres: PostgresConfig };

export type Config = ConfigSettings & EventStoreChoice & ReadStoreChoice;

export interface ConfigSettings {
  nodeEnv: string;
  host: string;
  port: number;
  dataDir: string;
  logLevel: string;
  bodyLimitBytes: number;
  server: ServerLimits;
  rateLimit: RateLimitConfig;
  /** Bytes of stored JSON the SQLite read model keeps parsed in memory. */
  documentCacheBytes: number;
  jwt: JwtConfig;
  /** Set whenever KURRENTDB_URL is (also when another event store is chosen); see EventStoreChoice. */
  kurrentdbUrl?: string;
  /** Set whenever MONGODB_URL is (also when another read store is chosen); see ReadStoreChoice. */
  mongodbUrl?: string;
  mongodbDb: string;
  /** Set when either store is PostgreSQL; see EventStoreChoice and ReadStoreChoice. */
  postgres?: PostgresConfig;
  projectionWaitMs: number;
  /**
   * Where the asynchronous projector of the production profile runs: in this process (default), or
   * elsewhere (`external`: `npm run projector` or another instance holds the lease).
   */
  projector: ProjectorMode;
  /** Seed a demo workspace on an empty development store. */
  seedDemo: boolean;
  shutdownTimeoutMs: number;
  /** Batch concurrent appends into one SQLite transaction (one fsync). Off only to measure its effect. */
  sqliteGroupCommit: boolean;
  metrics: MetricsConfig;
  /** /readyz answers 503 while a projection is more than this many events behind the log. */
  readyMaxProjectionLag: number;
}

export interface MetricsConfig {
  /** When set, `GET /metrics` on the API port needs `Authorization: Bearer <token>`. */
  token?: string;
  /** When set, a second listener serves `GET /metrics` (only that, without a token) on this port. */
  port?: number;
  /** Bind address of that listener. */
  host: string;
}

/** Projection lag is counted up to this many events: past it, the figure reads "at least this". */
export const projectionLagCountLimit = 10_000;

export interface PostgresConfig {
  url: string;
  /** Connections in each process's pool. */
  poolMax: number;
  /** How long a request waits for a free connection before it is answered 503. */
  poolTimeoutMs: number;
  /** Server-side limit of one statement (a statement cancelled by it is answered 503). */
  statementTimeoutMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const text = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
};

const integer = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
};

const oneOf = <T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T => {
  const raw = text(env, name) ?? fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
};

const boolean = (env: Env, name: string, fallback: boolean): boolean => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
};

const units = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;
const sizeText = (bytes: number): string =>
  bytes === 0
    ? '0'
    : bytes % units.gb === 0
      ? `${bytes / units.gb}gb`
      : bytes % units.mb === 0
        ? `${bytes / units.mb}mb`
        : `${bytes / units.kb}kb`;

const optionalInteger = (env: Env, name: string, min: number, max: number): number | undefined =>
  text(env, name) === undefined ? undefined : integer(env, name, 0, min, max);

const metricsConfig = (env: Env, host: string): MetricsConfig => {
  const token = text(env, 'METRICS_TOKEN');
  if (token !== undefined && !/^[\x21-\x7e]{32,256}$/.test(token)) {
    throw new ConfigError('METRICS_TOKEN', 'must be 32 to 256 visible ASCII characters');
  }
  const port = optionalInteger(env, 'METRICS_PORT', 0, 65535);
  return { ...(token === undefined ? {} : { token }), ...(port === undefined ? {} : { port }), host: text(env, 'METRICS_HOST') ?? host };
};

const byteSize = (env: Env, name: string, fallback: number, min: number = units.kb, max: number = 64 * units.mb): number => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(raw);
  if (!match) throw new ConfigError(name, `must be a size such as 1mb or 512kb, got "${raw}"`);
  const value = Number(match[1]) * units[(match[2] ?? 'b').toLowerCase() as keyof typeof units];
  if (value < min || value > max) throw new ConfigError(name, `must be between ${sizeText(min)} and ${sizeText(max)}`);
  return value;
};

/** The soft open-file limit of this process (Linux), or undefined where it cannot be read. */
export const readOpenFileLimit = (): number | undefined => {
  try {
    const match = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
};

/**
 * MAX_CONNECTIONS must stay below the open-file limit: every connection holds a descriptor, and
 * the stores, the log and new accepts need some too. The default leaves a quarter of them free.
 */
const maxConnections = (env: Env, openFileLimit: number | undefined): number => {
  const fallback = openFileLimit === undefined ? 4096 : Math.max(16, Math.floor(openFileLimit * 0.75));
  const value = integer(env, 'MAX_CONNECTIONS', fallback, 1, 1_000_000);
  if (openFileLimit !== undefined && value >= openFileLimit - 16) {
    throw new ConfigError('MAX_CONNECTIONS', `must be below the open-file limit of this process (${openFileLimit}) minus 16, got ${value}`);
  }
  return value;
};

const serverLimits = (env: Env, openFileLimit: number | undefined): ServerLimits => {
  const headersTimeoutMs = integer(env, 'HEADERS_TIMEOUT_MS', 5000, 100, 120_000);
  const requestTimeoutMs = integer(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000);
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new ConfigError('REQUEST_TIMEOUT_MS', `must be at least HEADERS_TIMEOUT_MS (${headersTimeoutMs}), got ${requestTimeoutMs}`);
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 5000, 100, 600_000),
    maxConnections: maxConnections(env, openFileLimit),
  };
};

const rateLimitConfig = (env: Env): RateLimitConfig => {
  const store = oneOf(env, 'RATE_LIMIT_STORE', ['memory', 'postgres'] as const, 'memory');
  const postgresUrl = text(env, 'RATE_LIMIT_POSTGRES_URL');
  if (store === 'postgres' && !postgresUrl) throw new ConfigError('RATE_LIMIT_POSTGRES_URL', 'is required when RATE_LIMIT_STORE=postgres');
  const postgresTable = text(env, 'RATE_LIMIT_POSTGRES_TABLE') ?? 'rate_limits';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(postgresTable)) {
    throw new ConfigError('RATE_LIMIT_POSTGRES_TABLE', `must be a lowercase SQL identifier (letters, digits, _), got "${postgresTable}"`);
  }
  return {
    windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_S', 60, 0, 86_400),
    perIp: integer(env, 'RATE_LIMIT_PER_IP', 6000, 0, 100_000_000),
    perUser: integer(env, 'RATE_LIMIT_PER_USER', 1200, 0, 100_000_000),
    store,
    ...(postgresUrl ? { postgresUrl } : {}),
    postgresTable,
  };
};

const asymmetricAlgorithms = (publicKey: string): Algorithm[] => {
  let type: string | undefined;
  try {
    type = createPublicKey(publicKey).asymmetricKeyType;
  } catch {
    throw new ConfigError('JWT_PUBLIC_KEY', 'is not a PEM public key');
  }
  if (type === 'rsa') return ['RS256'];
  if (type === 'ec') return ['ES256'];
  throw new ConfigError('JWT_PUBLIC_KEY', `key type ${type ?? 'unknown'} is not supported (RSA or EC P-256)`);
};

const jwtConfig = (env: Env, nodeEnv: string, developmentSecret: () => string): JwtConfig => {
  const secret = text(env, 'JWT_SECRET');
  const publicKey = env.JWT_PUBLIC_KEY?.trim() ? env.JWT_PUBLIC_KEY.replace(/\\n/g, '\n') : undefined;
  const issuer = text(env, 'JWT_ISSUER');
  const audience = text(env, 'JWT_AUDIENCE');
  const extra = { ...(issuer ? { issuer } : {}), ...(audience ? { audience } : {}) };
  if (secret && publicKey) throw new ConfigError('JWT_PUBLIC_KEY', 'set either JWT_SECRET or JWT_PUBLIC_KEY, not both');
  if (publicKey) return { publicKey, algorithms: asymmetricAlgorithms(publicKey), development: false, ...extra };
  if (secret) {
    if (secret.length < 32) throw new ConfigError('JWT_SECRET', 'must be at least 32 characters');
    return { secret, algorithms: ['HS256'], development: false, ...extra };
  }
  if (nodeEnv === 'production') {
    throw new ConfigError('JWT_SECRET', 'is required in production (or set JWT_PUBLIC_KEY)');
  }
  return { secret: developmentSecret(), algorithms: ['HS256'], development: true, ...extra };
};

const required = (variable: string, because: string): never => {
  throw new ConfigError(variable, `is required when ${because}`);
};

const postgresConfig = (env: Env, because: string): PostgresConfig => {
  const url = text(env, 'POSTGRES_URL');
  if (!url) throw new ConfigError('POSTGRES_URL', `is required when ${because}=postgres`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('POSTGRES_URL', 'is not a URL (postgres://user:password@host:5432/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError('POSTGRES_URL', `must start with postgres:// or postgresql://, got ${parsed.protocol}//`);
  }
  if (!parsed.hostname || parsed.pathname.length <= 1) {
    throw new ConfigError('POSTGRES_URL', 'must name a host and a database (postgres://user:password@host:5432/database)');
  }
  return {
    url,
    poolMax: integer(env, 'POSTGRES_POOL_MAX', 10, 1, 1000),
    poolTimeoutMs: integer(env, 'POSTGRES_POOL_TIMEOUT_MS', 2000, 10, 60000),
    statementTimeoutMs: integer(env, 'POSTGRES_STATEMENT_TIMEOUT_MS', 10000, 100, 600000),
  };
};

/**
 * Reads the configuration. `developmentSecret` supplies the secret used when none is configured
 * outside production; it is only called in that case (the composition root keeps it in the data dir).
 */
export const loadConfig = (
  env: Env,
  developmentSecret: (dataDir: string) => string,
  system: { openFileLimit: () => number | undefined } = { openFileLimit: readOpenFileLimit },
): Config => {
  const nodeEnv = text(env, 'NODE_ENV') ?? 'development';
  const dataDir = path.resolve(text(env, 'DATA_DIR') ?? './data');
  const eventStore = oneOf(env, 'EVENT_STORE', ['sqlite', 'kurrentdb', 'postgres'] as const, 'sqlite');
  const readStore = oneOf(env, 'READ_STORE', ['sqlite', 'mongodb', 'postgres'] as const, 'sqlite');
  const kurrentdbUrl = text(env, 'KURRENTDB_URL');
  const mongodbUrl = text(env, 'MONGODB_URL');
  // Checked in this order: the URLs, the pair of stores, PostgreSQL's settings (added to a side below).
  const events: Exclude<EventStoreChoice, { eventStore: 'postgres' }> | { eventStore: 'postgres' } =
    eventStore === 'kurrentdb'
      ? { eventStore, kurrentdbUrl: kurrentdbUrl ?? required('KURRENTDB_URL', 'EVENT_STORE=kurrentdb') }
      : { eventStore };
  const reads: Exclude<ReadStoreChoice, { readStore: 'postgres' }> | { readStore: 'postgres' } =
    readStore === 'mongodb' ? { readStore, mongodbUrl: mongodbUrl ?? required('MONGODB_URL', 'READ_STORE=mongodb') } : { readStore };
  if (eventStore !== 'sqlite' && readStore === 'sqlite') {
    throw new ConfigError(
      'READ_STORE',
      `must be mongodb or postgres when EVENT_STORE=${eventStore} (the SQLite read model is embedded in one process)`,
    );
  }
  // Read once when PostgreSQL holds both sides.
  const eventSide: EventStoreChoice =
    events.eventStore === 'postgres' ? { eventStore: 'postgres', postgres: postgresConfig(env, 'EVENT_STORE') } : events;
  const readSide: ReadStoreChoice =
    reads.readStore === 'postgres'
      ? { readStore: 'postgres', postgres: eventSide.eventStore === 'postgres' ? eventSide.postgres : postgresConfig(env, 'READ_STORE') }
      : reads;
  const jwt = jwtConfig(env, nodeEnv, () => developmentSecret(dataDir));
  const host = text(env, 'HOST') ?? '0.0.0.0';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const metrics = metricsConfig(env, host);
  if (metrics.port !== undefined && metrics.port !== 0 && metrics.port === port) {
    throw new ConfigError('METRICS_PORT', `must differ from PORT (${port})`);
  }
  return {
    nodeEnv,
    host,
    port,
    dataDir,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimitBytes: byteSize(env, 'BODY_LIMIT', 1024 * 1024),
    server: serverLimits(env, system.openFileLimit()),
    rateLimit: rateLimitConfig(env),
    documentCacheBytes: byteSize(env, 'DOCUMENT_CACHE_SIZE', 64 * units.mb, 0, 16 * units.gb),
    jwt,
    ...(kurrentdbUrl ? { kurrentdbUrl } : {}),
    ...(mongodbUrl ? { mongodbUrl } : {}),
    ...eventSide,
    ...readSide,
    mongodbDb: text(env, 'MONGODB_DB') ?? 'sessions',
    projectionWaitMs: integer(env, 'PROJECTION_WAIT_MS', 5000, 0, 60000),
    projector: oneOf(env, 'PROJECTOR', ['in-process', 'external'] as const, 'in-process'),
    seedDemo: boolean(env, 'SEED_DEMO', nodeEnv !== 'production' && jwt.development),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
    sqliteGroupCommit: boolean(env, 'SQLITE_GROUP_COMMIT', true),
    metrics,
    readyMaxProjectionLag: integer(env, 'READY_MAX_PROJECTION_LAG', 1000, 0, projectionLagCountLimit - 1),
  };
};

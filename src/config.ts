/**
 * All configuration, read from the environment once and validated. A bad value fails start-up
 * with a message naming the variable.
 */
import { createPublicKey } from 'node:crypto';
import path from 'node:path';
import type { Algorithm } from 'jsonwebtoken';

export type EventStoreKind = 'sqlite' | 'kurrentdb';
export type ReadStoreKind = 'sqlite' | 'mongodb';
export type ProjectorMode = 'in-process' | 'external';

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

export interface Config {
  nodeEnv: string;
  host: string;
  port: number;
  dataDir: string;
  logLevel: string;
  bodyLimitBytes: number;
  jwt: JwtConfig;
  eventStore: EventStoreKind;
  readStore: ReadStoreKind;
  kurrentdbUrl?: string;
  mongodbUrl?: string;
  mongodbDb: string;
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
  return value ? value : undefined;
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

const byteSize = (env: Env, name: string, fallback: number): number => {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)\s*(b|kb|mb)?$/i.exec(raw);
  if (!match) throw new ConfigError(name, `must be a size such as 1mb or 512kb, got "${raw}"`);
  const unit = { b: 1, kb: 1024, mb: 1024 * 1024 }[(match[2] ?? 'b').toLowerCase() as 'b' | 'kb' | 'mb'];
  const value = Number(match[1]) * unit;
  if (value < 1024 || value > 64 * 1024 * 1024) throw new ConfigError(name, 'must be between 1kb and 64mb');
  return value;
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

/**
 * Reads the configuration. `developmentSecret` supplies the secret used when none is configured
 * outside production; it is only called in that case (the composition root keeps it in the data dir).
 */
export const loadConfig = (env: Env, developmentSecret: (dataDir: string) => string): Config => {
  const nodeEnv = text(env, 'NODE_ENV') ?? 'development';
  const dataDir = path.resolve(text(env, 'DATA_DIR') ?? './data');
  const eventStore = oneOf(env, 'EVENT_STORE', ['sqlite', 'kurrentdb'] as const, 'sqlite');
  const readStore = oneOf(env, 'READ_STORE', ['sqlite', 'mongodb'] as const, 'sqlite');
  const kurrentdbUrl = text(env, 'KURRENTDB_URL');
  const mongodbUrl = text(env, 'MONGODB_URL');
  if (eventStore === 'kurrentdb' && !kurrentdbUrl) {
    throw new ConfigError('KURRENTDB_URL', 'is required when EVENT_STORE=kurrentdb');
  }
  if (readStore === 'mongodb' && !mongodbUrl) {
    throw new ConfigError('MONGODB_URL', 'is required when READ_STORE=mongodb');
  }
  if (eventStore === 'kurrentdb' && readStore === 'sqlite') {
    throw new ConfigError('READ_STORE', 'must be mongodb when EVENT_STORE=kurrentdb (the SQLite read model is embedded in one process)');
  }
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
    jwt,
    eventStore,
    readStore,
    ...(kurrentdbUrl ? { kurrentdbUrl } : {}),
    ...(mongodbUrl ? { mongodbUrl } : {}),
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

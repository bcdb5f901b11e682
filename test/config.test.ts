import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../src/config.js';

const secret = 's'.repeat(32);
const devSecret = () => 'd'.repeat(64);
const noDevSecret = () => {
  throw new Error('the development secret must not be asked for');
};

const pem = (type: 'rsa' | 'ec' | 'ed25519'): string => {
  const { publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519');
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
};

const failsOn = (env: Record<string, string>, variable: string, dev: (dataDir: string) => string = devSecret): ConfigError => {
  let caught: unknown;
  try {
    loadConfig(env, dev);
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a ConfigError naming ${variable}`).to.be.instanceOf(ConfigError);
  const error = caught as ConfigError;
  expect(error.variable).to.equal(variable);
  expect(error.message).to.include(variable);
  return error;
};

describe('configuration', () => {
  it('has working defaults for development: port 3000, ./data, 1 MiB bodies, SQLite, a generated HS256 secret, demo seed', () => {
    const asked: string[] = [];
    const config = loadConfig({}, (dataDir) => {
      asked.push(dataDir);
      return devSecret();
    });
    expect(config.port).to.equal(3000);
    expect(config.dataDir).to.equal(path.resolve('./data'));
    expect(asked).to.deep.equal([path.resolve('./data')]);
    expect(config.bodyLimitBytes).to.equal(1024 * 1024);
    expect(config.eventStore).to.equal('sqlite');
    expect(config.readStore).to.equal('sqlite');
    expect(config.jwt).to.deep.include({ secret: devSecret(), algorithms: ['HS256'], development: true });
    expect(config.seedDemo).to.equal(true);
  });

  it('uses JWT_SECRET without asking for a development secret, and does not seed by default', () => {
    const config = loadConfig({ JWT_SECRET: secret }, noDevSecret);
    expect(config.jwt).to.deep.include({ secret, algorithms: ['HS256'], development: false });
    expect(config.seedDemo).to.equal(false);
  });

  it('fails in production without JWT_SECRET or JWT_PUBLIC_KEY', () => {
    failsOn({ NODE_ENV: 'production' }, 'JWT_SECRET', noDevSecret);
  });

  it('rejects a JWT_SECRET shorter than 32 characters', () => {
    failsOn({ JWT_SECRET: 'short' }, 'JWT_SECRET');
  });

  it('pins RS256 for an RSA public key and ES256 for an EC P-256 key', () => {
    expect(loadConfig({ JWT_PUBLIC_KEY: pem('rsa') }, noDevSecret).jwt.algorithms).to.deep.equal(['RS256']);
    expect(loadConfig({ JWT_PUBLIC_KEY: pem('ec') }, noDevSecret).jwt.algorithms).to.deep.equal(['ES256']);
  });

  it('rejects a JWT_PUBLIC_KEY that is not a PEM key, of an unsupported type, or set together with JWT_SECRET', () => {
    failsOn({ JWT_PUBLIC_KEY: 'not a key' }, 'JWT_PUBLIC_KEY');
    failsOn({ JWT_PUBLIC_KEY: pem('ed25519') }, 'JWT_PUBLIC_KEY');
    failsOn({ JWT_PUBLIC_KEY: pem('rsa'), JWT_SECRET: secret }, 'JWT_PUBLIC_KEY');
  });

  it('reads JWT_ISSUER and JWT_AUDIENCE', () => {
    expect(
      loadConfig({ JWT_SECRET: secret, JWT_ISSUER: 'https://id.example.com/', JWT_AUDIENCE: 'sessions-api' }, noDevSecret).jwt,
    ).to.deep.include({
      issuer: 'https://id.example.com/',
      audience: 'sessions-api',
    });
  });

  it('reads BODY_LIMIT sizes and rejects bad ones', () => {
    expect(loadConfig({ JWT_SECRET: secret, BODY_LIMIT: '512kb' }, noDevSecret).bodyLimitBytes).to.equal(512 * 1024);
    expect(loadConfig({ JWT_SECRET: secret, BODY_LIMIT: '2MB' }, noDevSecret).bodyLimitBytes).to.equal(2 * 1024 * 1024);
    expect(loadConfig({ JWT_SECRET: secret, BODY_LIMIT: '4096' }, noDevSecret).bodyLimitBytes).to.equal(4096);
    for (const bad of ['lots', '1gb', '100', '65mb', '-1kb']) failsOn({ JWT_SECRET: secret, BODY_LIMIT: bad }, 'BODY_LIMIT');
  });

  it('rejects a PORT that is not a whole number in 0..65535', () => {
    for (const bad of ['http', '70000', '-1', '80.5']) failsOn({ JWT_SECRET: secret, PORT: bad }, 'PORT');
    expect(loadConfig({ JWT_SECRET: secret, PORT: '0' }, noDevSecret).port).to.equal(0);
  });

  it('rejects unknown store kinds, and a production store without its URL', () => {
    failsOn({ JWT_SECRET: secret, EVENT_STORE: 'cassandra' }, 'EVENT_STORE');
    failsOn({ JWT_SECRET: secret, READ_STORE: 'redis' }, 'READ_STORE');
    failsOn({ JWT_SECRET: secret, EVENT_STORE: 'kurrentdb', READ_STORE: 'mongodb', MONGODB_URL: 'mongodb://x' }, 'KURRENTDB_URL');
    failsOn({ JWT_SECRET: secret, READ_STORE: 'mongodb' }, 'MONGODB_URL');
  });

  it('reads the PostgreSQL profile: POSTGRES_URL required and validated, pool settings with defaults', () => {
    failsOn({ JWT_SECRET: secret, EVENT_STORE: 'postgres', READ_STORE: 'postgres' }, 'POSTGRES_URL');
    failsOn({ JWT_SECRET: secret, READ_STORE: 'postgres' }, 'POSTGRES_URL');
    for (const bad of ['not a url', 'mysql://db:3306/x', 'postgres://db', 'postgres:///x']) {
      failsOn({ JWT_SECRET: secret, EVENT_STORE: 'postgres', READ_STORE: 'postgres', POSTGRES_URL: bad }, 'POSTGRES_URL');
    }
    // The SQLite read model lives in one process: it cannot follow a shared log.
    failsOn({ JWT_SECRET: secret, EVENT_STORE: 'postgres', POSTGRES_URL: 'postgres://db/x' }, 'READ_STORE');
    failsOn(
      { JWT_SECRET: secret, EVENT_STORE: 'postgres', READ_STORE: 'postgres', POSTGRES_URL: 'postgres://db/x', POSTGRES_POOL_MAX: '0' },
      'POSTGRES_POOL_MAX',
    );
    failsOn(
      {
        JWT_SECRET: secret,
        EVENT_STORE: 'postgres',
        READ_STORE: 'postgres',
        POSTGRES_URL: 'postgres://db/x',
        POSTGRES_POOL_TIMEOUT_MS: 'soon',
      },
      'POSTGRES_POOL_TIMEOUT_MS',
    );
    const config = loadConfig(
      { JWT_SECRET: secret, EVENT_STORE: 'postgres', READ_STORE: 'postgres', POSTGRES_URL: 'postgresql://app:pw@db:5432/sessions' },
      noDevSecret,
    );
    expect(config).to.deep.include({ eventStore: 'postgres', readStore: 'postgres' });
    expect(config.postgres).to.deep.equal({
      url: 'postgresql://app:pw@db:5432/sessions',
      poolMax: 10,
      poolTimeoutMs: 2000,
      statementTimeoutMs: 10000,
    });
    // Mixes that make sense stay possible.
    expect(
      loadConfig(
        { JWT_SECRET: secret, EVENT_STORE: 'postgres', READ_STORE: 'mongodb', POSTGRES_URL: 'postgres://db/x', MONGODB_URL: 'mongodb://m' },
        noDevSecret,
      ).readStore,
    ).to.equal('mongodb');
    expect(loadConfig({ JWT_SECRET: secret, READ_STORE: 'postgres', POSTGRES_URL: 'postgres://db/x' }, noDevSecret).eventStore).to.equal(
      'sqlite',
    );
    expect(loadConfig({ JWT_SECRET: secret }, noDevSecret).postgres).to.equal(undefined);
  });

  it('rejects bad LOG_LEVEL, SEED_DEMO and PROJECTION_WAIT_MS values', () => {
    failsOn({ JWT_SECRET: secret, LOG_LEVEL: 'loud' }, 'LOG_LEVEL');
    failsOn({ JWT_SECRET: secret, SEED_DEMO: 'maybe' }, 'SEED_DEMO');
    failsOn({ JWT_SECRET: secret, PROJECTION_WAIT_MS: '600000' }, 'PROJECTION_WAIT_MS');
  });

  it('exposes no metrics by default, and readiness allows 1000 events of projection lag', () => {
    const config = loadConfig({ JWT_SECRET: secret, HOST: '10.0.0.5' }, noDevSecret);
    expect(config.metrics).to.deep.equal({ host: '10.0.0.5' });
    expect(config.readyMaxProjectionLag).to.equal(1000);
  });

  it('reads METRICS_TOKEN, METRICS_PORT and METRICS_HOST, and rejects bad ones', () => {
    const token = 'm'.repeat(32);
    expect(
      loadConfig({ JWT_SECRET: secret, METRICS_TOKEN: token, METRICS_PORT: '9464', METRICS_HOST: '127.0.0.1' }, noDevSecret).metrics,
    ).to.deep.equal({
      token,
      port: 9464,
      host: '127.0.0.1',
    });
    for (const bad of ['short', 'has space in it and is long enough to pass', 'x'.repeat(257)])
      failsOn({ JWT_SECRET: secret, METRICS_TOKEN: bad }, 'METRICS_TOKEN');
    for (const bad of ['metrics', '70000', '-1']) failsOn({ JWT_SECRET: secret, METRICS_PORT: bad }, 'METRICS_PORT');
    failsOn({ JWT_SECRET: secret, PORT: '3000', METRICS_PORT: '3000' }, 'METRICS_PORT');
    expect(loadConfig({ JWT_SECRET: secret, PORT: '0', METRICS_PORT: '0' }, noDevSecret).metrics.port).to.equal(0);
  });

  it('reads READY_MAX_PROJECTION_LAG within what the lag count can tell', () => {
    expect(loadConfig({ JWT_SECRET: secret, READY_MAX_PROJECTION_LAG: '0' }, noDevSecret).readyMaxProjectionLag).to.equal(0);
    for (const bad of ['-1', 'lots', '10000']) failsOn({ JWT_SECRET: secret, READY_MAX_PROJECTION_LAG: bad }, 'READY_MAX_PROJECTION_LAG');
  });
});

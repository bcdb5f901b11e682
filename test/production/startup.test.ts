/**
 * Start-up of the production profile when a store does not answer: a bounded wait, then an error
 * that names the store, the variable and the URL (password masked). Nothing listens on port 9.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.js';
import { openProductionStores, redactUrl, StoreUnreachableError } from '../../src/profiles/production.js';

const configFor = (env: Record<string, string>, dataDir: string) =>
  loadConfig({ JWT_SECRET: 'startup-test-secret-with-at-least-32-chars', DATA_DIR: dataDir, ...env }, () => {
    throw new Error('unused');
  });

const failure = async (attempt: Promise<unknown>): Promise<Error> => {
  try {
    await attempt;
  } catch (error) {
    return error as Error;
  }
  throw new Error('start-up should have failed');
};

describe('starting the production profile with a store down', () => {
  let dataDir: string;
  const logger = pino({ level: 'silent' });

  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-startup-'));
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails naming KurrentDB, KURRENTDB_URL and the URL without its password', async () => {
    const config = configFor(
      {
        EVENT_STORE: 'kurrentdb',
        READ_STORE: 'mongodb',
        KURRENTDB_URL: 'kurrentdb://admin:changeit@127.0.0.1:9?tls=false',
        MONGODB_URL: 'mongodb://127.0.0.1:9',
      },
      dataDir,
    );
    const error = await failure(openProductionStores(config, logger, { connectTimeoutMs: 2000 }));
    expect(error).to.be.instanceOf(StoreUnreachableError);
    expect(error.message).to.match(/^KurrentDB is not reachable at kurrentdb:\/\/admin:\*\*\*@127\.0\.0\.1:9\?tls=false \(KURRENTDB_URL\)/);
    expect(error.message).to.not.include('changeit');
  });

  it('fails naming MongoDB, MONGODB_URL and the URL after the connect timeout', async () => {
    const config = configFor(
      { EVENT_STORE: 'sqlite', READ_STORE: 'mongodb', MONGODB_URL: 'mongodb://app:secret@127.0.0.1:9/?directConnection=true' },
      dataDir,
    );
    const error = await failure(openProductionStores(config, logger, { connectTimeoutMs: 300 }));
    expect(error).to.be.instanceOf(StoreUnreachableError);
    expect(error.message).to.match(
      /^MongoDB is not reachable at mongodb:\/\/app:\*\*\*@127\.0\.0\.1:9\/\?directConnection=true \(MONGODB_URL\): /,
    );
    expect(error.message).to.not.include('secret');
  });

  it('fails naming PostgreSQL, POSTGRES_URL and the URL without its password', async () => {
    const config = configFor(
      { EVENT_STORE: 'postgres', READ_STORE: 'postgres', POSTGRES_URL: 'postgres://app:hunter2@127.0.0.1:9/sessions' },
      dataDir,
    );
    const error = await failure(openProductionStores(config, logger, { connectTimeoutMs: 2000 }));
    expect(error).to.be.instanceOf(StoreUnreachableError);
    expect(error.message).to.match(/^PostgreSQL is not reachable at postgres:\/\/app:\*\*\*@127\.0\.0\.1:9\/sessions \(POSTGRES_URL\): /);
    expect(error.message).to.not.include('hunter2');
  });

  it('masks only the password of a URL', () => {
    expect(redactUrl('mongodb://user:p%40ss@db:27017/x')).to.equal('mongodb://user:***@db:27017/x');
    expect(redactUrl('mongodb://db:27017')).to.equal('mongodb://db:27017');
    expect(redactUrl('kurrentdb://admin@db:2113?tls=false')).to.equal('kurrentdb://admin:***@db:2113?tls=false');
  });
});

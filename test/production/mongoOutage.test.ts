/**
 * A MongoDB outage as the API answers it: a read that cannot reach the server gives up after the
 * short server-selection timeout and answers 503 with Retry-After (not a 500, not a request held
 * for 10 s). The app is the real one (buildApp, real JWTs, real HTTP on port 0) over a real
 * SQLite log and a MongoDB read model whose server is down (nothing listens on port 9).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { createTokenVerifier, signToken } from '../../src/auth/tokens.js';
import { systemClock, systemIds } from '../../src/commands/deps.js';
import { StreamLocks } from '../../src/commands/streamLocks.js';
import type { JwtConfig } from '../../src/config.js';
import { StoreUnavailableError } from '../../src/errors.js';
import { buildApp } from '../../src/http/app.js';
import { inlineProgress } from '../../src/projections/projector.js';
import { MongoReadModel } from '../../src/stores/mongodb/mongoReadModel.js';
import { PendingDocuments, ReadYourWritesReadModel } from '../../src/stores/pendingDocuments.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { expectProblem } from '../http/helpers.js';
import { request } from '../support/http.js';

describe('reading while MongoDB is down', () => {
  const jwt: JwtConfig = { secret: 'outage-test-secret-with-at-least-32-characters', algorithms: ['HS256'], development: false };
  const workspaceId = 'f'.repeat(24);
  let dir: string;
  let events: SqliteStore;
  let readModel: MongoReadModel;
  let server: Server;
  let url: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-outage-'));
    events = new SqliteStore({ path: path.join(dir, 'log.db') });
    const client = new MongoClient('mongodb://127.0.0.1:9/?directConnection=true', { serverSelectionTimeoutMS: 300 });
    readModel = new MongoReadModel(client.db('outage'), client);
    const logger = pino({ level: 'silent' });
    const pending = new PendingDocuments();
    const reads = new ReadYourWritesReadModel(readModel, pending);
    const app = buildApp({
      commands: { events, readModel: reads, clock: systemClock, ids: systemIds, logger, locks: new StreamLocks() },
      reads: { readModel: reads, progress: inlineProgress(), logger, projectionWaitMs: 0, pending },
      verifier: createTokenVerifier(jwt),
      logger,
      bodyLimitBytes: 65_536,
      health: async () => ({ ok: false, checks: {} }),
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    await Promise.allSettled([readModel.close(), events.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers 503 with Retry-After and a problem body, appending nothing', async () => {
    const token = signToken(jwt, { sub: 'user-1', permissions: [], workspaceId });
    const reply = await request(url, 'GET', `/v1/workspace/${workspaceId}`, { token });
    expectProblem(reply, 503);
    expect(reply.headers.get('retry-after')).to.equal('5');
    expect((reply.body as { type: string }).type).to.equal('/problems/store-unavailable');
    expect((reply.body as { detail: string }).detail).to.not.match(/127\.0\.0\.1|ECONNREFUSED/);
    expect(await events.headPosition()).to.equal(null);
  });

  it('turns the driver outage errors of every read into StoreUnavailableError', async () => {
    for (const read of [
      () => readModel.find('workspaces', workspaceId, workspaceId),
      () => readModel.findMany('workspaces', workspaceId, [workspaceId]),
      () => readModel.checkpoint('workspaces'),
      () => readModel.ping(),
    ]) {
      let caught: unknown;
      try {
        await read();
      } catch (error) {
        caught = error;
      }
      expect(caught).to.be.instanceOf(StoreUnavailableError);
      expect(((caught as Error).cause as Error).name).to.match(/^Mongo(ServerSelection|TopologyClosed)Error$/);
    }
  });
});

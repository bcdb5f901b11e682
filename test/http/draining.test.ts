/**
 * Finding 5: on SIGTERM under keep-alive load the server kept accepting requests on open
 * connections for the whole SHUTDOWN_TIMEOUT_MS, never said `Connection: close`, then reset what
 * was in flight. Now it answers what it accepted, says `Connection: close` from the signal on,
 * closes idle connections at once and exits when the last answer is sent.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { signToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { startService } from '../support/service.js';
import { testSecret } from '../support/testApp.js';

interface Outcome {
  status: number;
  connection?: string;
  id?: string;
  sentAfterSignal: boolean;
  error?: string;
}

describe('draining on SIGTERM under keep-alive load (finding 5)', () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-drain-'));
  });
  after(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every accepted request with Connection: close after the signal, cuts none, and exits long before the timeout', async function () {
    this.timeout(60_000);
    const shutdownTimeoutMs = 30_000;
    const service = await startService(dataDir, { SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs) });
    const token = signToken(loadConfig({ JWT_SECRET: testSecret, DATA_DIR: dataDir }, () => testSecret).jwt, {
      sub: 'platform-admin',
      permissions: ['workspaces.create'],
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const target = new URL(service.url);
    let signalled = false;
    const outcomes: Outcome[] = [];

    const create = (i: number): Promise<Outcome> =>
      new Promise((resolve) => {
        const sentAfterSignal = signalled;
        const req = http.request(
          {
            host: target.hostname,
            port: target.port,
            method: 'POST',
            path: '/v1/workspaces',
            agent,
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          },
          (res) => {
            let text = '';
            res.on('data', (chunk: Buffer) => (text += chunk.toString()));
            res.on('end', () => {
              const body = JSON.parse(text) as { workspace?: { id: string } };
              resolve({ status: res.statusCode!, connection: res.headers.connection, id: body.workspace?.id, sentAfterSignal });
            });
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => {
          resolve({ status: 0, error: error.code ?? error.message, sentAfterSignal });
        });
        req.end(JSON.stringify({ name: `Drain ${i}` }));
      });

    // Eight clients on keep-alive connections, each sending its next request as soon as the last is answered.
    let next = 0;
    const client = async (): Promise<void> => {
      for (;;) {
        const outcome = await create(next++);
        outcomes.push(outcome);
        if (outcome.status === 0) return;
      }
    };
    const clients = Array.from({ length: 8 }, client);
    while (outcomes.filter((o) => o.status === 201).length < 80) await new Promise((resolve) => setTimeout(resolve, 20));

    // One request is in flight for sure when the signal lands: its body is finished only after it.
    const slow = new Promise<Outcome>((resolve) => {
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: '/v1/workspaces',
          agent: false,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': '20' },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => {
            resolve({
              status: res.statusCode!,
              connection: res.headers.connection,
              id: (JSON.parse(text) as { workspace?: { id: string } }).workspace?.id,
              sentAfterSignal: false,
            });
          });
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        resolve({ status: 0, error: error.code ?? error.message, sentAfterSignal: false });
      });
      req.write('{"name":"Slow ');
      service.child.stderr!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('SIGTERM received')) req.end('body"}');
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const signalledAt = Date.now();
    signalled = true;
    service.child.kill('SIGTERM');
    const { code, stderr } = await service.exited;
    const slowOutcome = await slow;
    outcomes.push(slowOutcome);
    const exitMs = Date.now() - signalledAt;
    await Promise.all(clients);
    agent.destroy();

    expect(code, stderr).to.equal(0);
    console.log(
      `      exited ${exitMs} ms after SIGTERM (timeout ${shutdownTimeoutMs} ms); ${outcomes.length} requests, ${outcomes.filter((o) => o.sentAfterSignal && o.status === 201).length} answered after the signal`,
    );
    // Before: the open connections kept the server busy until the timeout.
    expect(exitMs).to.be.lessThan(shutdownTimeoutMs / 3);
    // The request the signal caught half-sent was read to the end and answered, with Connection: close.
    expect(slowOutcome).to.include({ status: 201, connection: 'close' });
    const answered = outcomes.filter((o) => o.status !== 0);
    expect(
      answered.every((o) => o.status === 201),
      JSON.stringify(answered.map((o) => o.status)),
    ).to.equal(true);
    // Whatever was sent after the signal and answered carried Connection: close.
    for (const outcome of answered.filter((o) => o.sentAfterSignal)) expect(outcome.connection).to.equal('close');
    // A request that got no answer never reached the server: refused or closed before it was read.
    for (const outcome of outcomes.filter((o) => o.status === 0))
      expect(outcome.error).to.be.oneOf(['ECONNREFUSED', 'ECONNRESET', 'socket hang up', 'EPIPE']);

    const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
    try {
      const stored = [];
      for await (const event of store.readAll()) stored.push(event);
      expect(stored).to.have.length(answered.length);
      for (const outcome of answered) expect(await store.find('workspaces', outcome.id!, outcome.id!), outcome.id).to.not.equal(null);
    } finally {
      await store.close();
    }
  });
});

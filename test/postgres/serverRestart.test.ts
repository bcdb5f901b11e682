/**
 * PostgreSQL stopped and started again under a load of creates (`pg_ctlcluster stop -m fast`,
 * then `start`): while it is down every request fails fast with 503 and Retry-After (not a hang,
 * not a 500), the service recovers by itself once it is back, and every acknowledged (201) write
 * is in the log and the read model afterwards.
 *
 * It stops the whole server, so it runs under CI=true (CI has the machine to itself) or when
 * POSTGRES_RESTART_TEST=1, and only against a server on this machine that pg_ctlcluster manages.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { postgresUrl, requirePostgres } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const clusterVersion = (): string | null => {
  try {
    return fs.readdirSync('/etc/postgresql').sort().at(-1) ?? null;
  } catch {
    return null;
  }
};

const cluster = (action: 'stop' | 'start'): void => {
  execFileSync(
    'pg_ctlcluster',
    ['--skip-systemctl-redirect', clusterVersion()!, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])],
    { stdio: 'pipe' },
  );
};

const serverIsUp = (): boolean => {
  try {
    execFileSync('pg_isready', ['-q', '-h', '127.0.0.1'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('restarting PostgreSQL under a load of creates', function () {
  this.timeout(180_000);
  const opened = new Resources();
  let app: TestApp;
  let c: Catalog;

  before(async function () {
    requirePostgres.call(this);
    const local = postgresUrl && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(postgresUrl).hostname);
    const wanted = process.env.CI === 'true' || process.env.POSTGRES_RESTART_TEST === '1';
    if (!wanted || !local || clusterVersion() === null) {
      console.log(
        '      skipped: stops the whole PostgreSQL server; runs under CI=true or POSTGRES_RESTART_TEST=1, against a local pg_ctlcluster server',
      );
      this.skip();
    }
    app = opened.add(
      await startTestApp({ env: { EVENT_STORE: 'postgres', READ_STORE: 'postgres', POSTGRES_POOL_TIMEOUT_MS: '500' } }),
      (a) => a.destroy(),
    );
    c = await createCatalog(app);
  });
  after(async () => {
    if (!serverIsUp()) cluster('start');
    await opened.close();
  });

  it('answers 503 with Retry-After while it is down, recovers by itself, and keeps every acknowledged write', async () => {
    const body = (i: number) => ({
      name: `restart ${i}`,
      clientId: c.clientId,
      serviceIds: [c.consultationId],
      date: '2024-06-01T10:00:00Z',
      startTime: '10:00',
    });
    const create = (i: number): Promise<Reply> =>
      request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, { token: c.token, body: body(i) });
    const replies: Reply[] = [];
    const acknowledged: string[] = [];
    let phase: 'before' | 'down' | 'after' | 'done' = 'before';
    let n = 0;
    const worker = async (): Promise<void> => {
      while (phase !== 'done') {
        const reply = await create(n++);
        replies.push(reply);
        if (reply.status === 201) acknowledged.push(reply.body.session.id as string);
        else await sleep(50);
      }
    };
    const load = [worker(), worker()];

    while (acknowledged.length < 6) await sleep(20);
    cluster('stop');
    const stoppedAt = performance.now();
    phase = 'down';
    // While it is down: each request answered, 503 with Retry-After, as problem+json.
    const whileDown: Reply[] = [];
    for (let i = 0; i < 3; i += 1) whileDown.push(await create(10_000 + i));
    const health = await request(app.url, 'GET', '/healthz');
    cluster('start');
    const startedAt = performance.now();
    phase = 'after';
    // Recovery by itself: the load goes on until creates succeed again.
    const acknowledgedBeforeRecovery = acknowledged.length;
    while (acknowledged.length === acknowledgedBeforeRecovery) await sleep(10);
    const recoveredAfter = (performance.now() - startedAt) / 1000;
    while (acknowledged.length < acknowledgedBeforeRecovery + 6) await sleep(50);
    const unavailable = replies.filter((r) => r.status === 503).length + whileDown.length;
    console.log(
      `      server down ${((startedAt - stoppedAt) / 1000).toFixed(1)} s (stop to start command), ${unavailable} requests answered 503 + Retry-After, ` +
        `first 201 ${recoveredAfter.toFixed(2)} s after the start command returned`,
    );
    phase = 'done';
    await Promise.all(load);

    for (const reply of whileDown) {
      expect(reply.status, reply.text).to.equal(503);
      expect(reply.headers.get('retry-after')).to.equal('2');
      expect(reply.headers.get('content-type')).to.match(/^application\/problem\+json/);
      expect(reply.body).to.deep.include({ type: '/problems/store-unavailable' });
    }
    expect(health.status).to.equal(503);
    // Never a 500 or a hang: every reply is a 201 or a 503 with Retry-After.
    for (const reply of replies) {
      expect([201, 503], reply.text).to.include(reply.status);
      if (reply.status === 503) expect(reply.headers.get('retry-after')).to.equal('2');
    }
    // Every acknowledged session is in the log, and (once the projector has caught up) readable.
    const inLog = new Set(
      (await app.allEvents()).filter((e) => e.type === 'SessionCreated').map((e) => (e.data as { sessionId: string }).sessionId),
    );
    for (const id of acknowledged) expect(inLog.has(id), id).to.equal(true);
    const readModel = app.running.stores.readModel;
    for (const id of acknowledged) {
      while ((await readModel.find('sessions', c.workspaceId, id).catch(() => null)) === null) await sleep(100);
    }
    expect((await request(app.url, 'GET', '/healthz')).status).to.equal(200);
  });
});

/**
 * The PostgreSQL profile when the database cannot serve: a pool exhausted by slow queries answers
 * 503 with Retry-After within the configured wait (not when the slow queries end), appends
 * nothing, and serves again once they are done.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { requirePostgres } from './support.js';

describe('a PostgreSQL pool exhausted by slow queries', function () {
  const opened = new Resources();
  let app: TestApp;
  let c: Catalog;
  let blocker: pg.Client;

  before(async function () {
    requirePostgres.call(this);
    app = opened.add(
      await startTestApp({
        env: {
          EVENT_STORE: 'postgres',
          READ_STORE: 'postgres',
          POSTGRES_POOL_MAX: '2',
          POSTGRES_POOL_TIMEOUT_MS: '300',
          POSTGRES_STATEMENT_TIMEOUT_MS: '120000',
        },
      }),
      (a) => a.destroy(),
    );
    c = await createCatalog(app);
    blocker = opened.add(new pg.Client({ connectionString: app.config.postgres!.url }), (client) => client.end());
    await blocker.connect();
  });
  after(() => opened.close());

  it('answers 503 with Retry-After while the slow queries still run, appends nothing, and recovers', async () => {
    const body = (name: string) => ({
      name,
      clientId: c.clientId,
      serviceIds: [c.consultationId],
      date: '2024-05-01T10:00:00Z',
      startTime: '10:00',
    });
    const create = (name: string) =>
      request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, { token: c.token, body: body(name) });
    // Every statement on the log now waits for this lock: the pool's two connections will hang.
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
    const slow = [create('slow 1'), create('slow 2')];
    let slowDone = false;
    void Promise.all(slow).then(() => (slowDone = true));
    // Let the slow requests take the pool's connections.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const name = `rejected ${randomUUID()}`;
    const rejected = await create(name);
    expect(slowDone, 'the 503 came before the slow queries ended').to.equal(false);
    expect(rejected.status, rejected.text).to.equal(503);
    expect(rejected.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(rejected.headers.get('retry-after')).to.equal('2');
    expect(rejected.body).to.deep.include({ type: '/problems/store-unavailable', status: 503 });

    await blocker.query('ROLLBACK');
    for (const reply of await Promise.all(slow)) expect(reply.status, reply.text).to.equal(201);
    const events = await app.allEvents();
    expect(events.filter((e) => (e.data as { requested?: { name?: string } }).requested?.name === name)).to.deep.equal([]);
    expect(events.filter((e) => e.type === 'SessionCreated')).to.have.length(2);
    expect((await create('after')).status).to.equal(201);
  });
});

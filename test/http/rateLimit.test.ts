import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectProblem, expectRejected, sessionBody, sessionsPath } from './helpers.js';

const expectRateLimited = (reply: Reply, limit: number): void => {
  expectProblem(reply, 429);
  expect(Number(reply.headers.get('retry-after'))).to.be.within(1, 60);
  expect(reply.headers.get('ratelimit-limit')).to.equal(String(limit));
  expect(reply.headers.get('ratelimit-remaining')).to.equal('0');
  expect(Number(reply.headers.get('ratelimit-reset'))).to.be.within(1, 60);
};

describe('rate limiting per token subject (finding 10)', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_PER_USER: '20', RATE_LIMIT_WINDOW_S: '60' } });
    c = await createCatalog(app);
  });
  after(async () => app.destroy());

  it('answers 429 with Retry-After and RateLimit-* once a subject spent its budget, appending nothing', async () => {
    // A fresh subject: the catalog's creation spent part of user-1's budget already.
    const token = app.token({
      sub: `burst-${randomUUID()}`,
      workspaceId: c.workspaceId,
      permissions: ['sessions.create', 'sessions.read'],
    });
    const replies: Reply[] = [];
    for (let i = 0; i < 20; i++) replies.push(await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}`, { token }));
    expect(replies.map((r) => r.status)).to.deep.equal(Array(20).fill(200));
    expect(replies.map((r) => r.headers.get('ratelimit-remaining'))).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(19 - i)));
    expect(replies[0]!.headers.get('ratelimit-policy')).to.equal('20;w=60');

    const limited = await expectRejected(app, 'POST', sessionsPath(c), { token, body: sessionBody(c) }, 429);
    expectRateLimited(limited, 20);
  });

  it('keeps one subject’s budget apart from another’s', async () => {
    const spender = app.token({ sub: `spender-${randomUUID()}`, workspaceId: c.workspaceId, permissions: [] });
    for (let i = 0; i < 21; i++) await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}`, { token: spender });
    expect((await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}`, { token: spender })).status).to.equal(429);
    const other = app.token({ sub: `other-${randomUUID()}`, workspaceId: c.workspaceId, permissions: [] });
    expect((await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}`, { token: other })).status).to.equal(200);
  });

  it('never limits the health probe', async () => {
    const spender = app.token({ sub: `probe-${randomUUID()}`, workspaceId: c.workspaceId, permissions: [] });
    for (let i = 0; i < 25; i++) await request(app.url, 'GET', '/healthz', { token: spender });
    expect((await request(app.url, 'GET', '/healthz')).status).to.equal(200);
  });
});

describe('rate limiting per client address, before authentication', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { RATE_LIMIT_PER_IP: '15' } });
  });
  after(async () => app.destroy());

  it('answers 429 to a flood of requests without a token, then to requests with one', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await request(app.url, 'GET', '/v1/workspace/abc')).status);
    expect(statuses).to.deep.equal(Array(15).fill(401));
    expectRateLimited(await request(app.url, 'GET', '/v1/workspace/abc'), 15);
    const token = app.token({ sub: 'someone', permissions: ['workspaces.create'] });
    const before = await app.head();
    expectRateLimited(await request(app.url, 'POST', '/v1/workspaces', { token, body: { name: 'Flood' } }), 15);
    expect(await app.head()).to.equal(before);
    expect((await request(app.url, 'GET', '/healthz')).status).to.equal(200);
  });
});

const postgresUrl = process.env.RATE_LIMIT_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

describe('rate limiting shared by two instances through PostgreSQL (RateLimiterPostgres)', function () {
  const table = `rate_limits_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const opened = new Resources();
  let first: TestApp;
  let second: TestApp;

  before(async function () {
    const probe = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
    try {
      await probe.connect();
      await probe.end();
    } catch (error) {
      if (process.env.CI) throw error;
      console.log(
        `      skipped: PostgreSQL at ${postgresUrl} is not reachable (${(error as Error).message}); set RATE_LIMIT_TEST_POSTGRES_URL`,
      );
      this.skip();
    }
    const env = {
      RATE_LIMIT_STORE: 'postgres',
      RATE_LIMIT_POSTGRES_URL: postgresUrl,
      RATE_LIMIT_POSTGRES_TABLE: table,
      RATE_LIMIT_PER_USER: '10',
    };
    first = opened.add(await startTestApp({ env }), (app) => app.destroy());
    second = opened.add(await startTestApp({ env }), (app) => app.destroy());
  });
  after(async () => {
    await opened.close();
    const client = new pg.Client({ connectionString: postgresUrl });
    try {
      await client.connect();
      await client.query(`DROP TABLE IF EXISTS "${table}"`);
      await client.end();
    } catch {
      // unreachable: nothing was created
    }
  });

  it('counts one budget across both instances and stores the counters in the table', async () => {
    const claims = { sub: `shared-${randomUUID()}`, permissions: ['workspaces.create'] };
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const app = i % 2 === 0 ? first : second;
      statuses.push((await request(app.url, 'POST', '/v1/workspaces', { token: app.token(claims), body: { name: `Shared ${i}` } })).status);
    }
    expect(statuses).to.deep.equal(Array(10).fill(201));
    const before = await second.head();
    expectRateLimited(
      await request(second.url, 'POST', '/v1/workspaces', { token: second.token(claims), body: { name: 'One too many' } }),
      10,
    );
    expectRateLimited(
      await request(first.url, 'POST', '/v1/workspaces', { token: first.token(claims), body: { name: 'One too many' } }),
      10,
    );
    expect(await second.head()).to.equal(before);

    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT points FROM "${table}" WHERE key = $1`, [`user:${claims.sub}`]);
      expect(rows).to.have.length(1);
      expect(rows[0].points).to.be.at.least(11);
    } finally {
      await client.end();
    }
  });
});

import { expect } from 'chai';
import { allProjections } from '../../src/projections/index.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { sqliteOf } from '../rebuild/support.js';
import { parsePrometheus, type Scrape } from '../support/prometheus.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectProblem, expectRejected, sessionBody, sessionsPath } from './helpers.js';

const metricsToken = 'metrics-test-token-0123456789abcdefghijkl';
const duration = 'http_request_duration_seconds_count';

const scrape = async (app: TestApp): Promise<Scrape> => {
  const reply = await request(app.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${metricsToken}` } });
  expect(reply.status, reply.text).to.equal(200);
  expect(reply.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(reply.text);
};

const eventTypesIn = async (app: TestApp): Promise<Record<string, number>> => {
  const counts: Record<string, number> = {};
  for (const event of await app.allEvents()) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return counts;
};

describe('GET /metrics after a known series of requests', () => {
  let app: TestApp;
  let c: Catalog;
  let first: Scrape;
  let sessionId: string;

  before(async () => {
    app = await startTestApp({ env: { METRICS_TOKEN: metricsToken } });
    // 1 workspace, then 6 catalog creates in parallel (so group commit may batch them).
    c = await createCatalog(app);
    const created = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body: sessionBody(c) });
    expect(created.status).to.equal(201);
    sessionId = created.body.session.id as string;
    expect((await request(app.url, 'GET', `${sessionsPath(c)}/${sessionId}`, { token: c.token })).status).to.equal(200);
    await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, body: sessionBody(c, { startTime: '25:00' }) }, 400);
    await expectRejected(app, 'GET', '/v1/no-such-route/123', { token: c.token }, 404);
    first = await scrape(app);
  });
  after(async () => app.destroy());

  it('counts each request once, by route template and status; the scrape in progress is the one request in flight', () => {
    const workspaceRoute = '/v1/workspace/:workspaceId';
    expect(first.value(duration, { method: 'POST', route: '/v1/workspaces', status: '201' })).to.equal(1);
    expect(first.value(duration, { method: 'POST', route: `${workspaceRoute}/clients`, status: '201' })).to.equal(1);
    expect(first.value(duration, { method: 'POST', route: `${workspaceRoute}/services`, status: '201' })).to.equal(4);
    expect(first.value(duration, { method: 'POST', route: `${workspaceRoute}/staff`, status: '201' })).to.equal(1);
    expect(first.value(duration, { method: 'POST', route: `${workspaceRoute}/sessions`, status: '201' })).to.equal(1);
    expect(first.value(duration, { method: 'POST', route: `${workspaceRoute}/sessions`, status: '400' })).to.equal(1);
    expect(first.value(duration, { method: 'GET', route: `${workspaceRoute}/sessions/:sessionId`, status: '200' })).to.equal(1);
    expect(first.value(duration, { method: 'GET', route: '(unmatched)', status: '404' })).to.equal(1);
    const total = first.matching(duration).reduce((sum, s) => sum + s.value, 0);
    expect(total, 'no other request was counted').to.equal(11);
    expect(first.value('http_requests_in_flight')).to.equal(1);
    expect(first.types.get('http_request_duration_seconds')).to.equal('histogram');
  });

  it('counts the events appended by type, exactly as the log holds them', async () => {
    const inLog = await eventTypesIn(app);
    // The session with a staff member also claims the staff member's day (a stream of its own, appended with it).
    expect(inLog).to.deep.equal({
      WorkspaceCreated: 1,
      ClientRegistered: 1,
      ServiceDefined: 4,
      StaffMemberAdded: 1,
      SessionCreated: 1,
      StaffTimeClaimed: 1,
    });
    const counted = Object.fromEntries(first.matching('sessions_events_appended_total').map((s) => [s.labels.type, s.value]));
    expect(counted).to.deep.equal(inLog);
  });

  it('records every append transaction: the batch sizes add up to the appends (one per request), however they were grouped', function () {
    // SQLite's group commit and document cache: the embedded profile's own metrics.
    if (app.config.eventStore !== 'sqlite') this.skip();
    expect(first.value('sessions_sqlite_commit_batch_size_sum')).to.equal(8);
    const transactions = first.value('sessions_sqlite_commit_batch_size_count')!;
    expect(transactions).to.be.within(3, 8);
    expect(first.value('sessions_sqlite_commit_duration_seconds_count')).to.equal(transactions);
    expect(first.value('sessions_sqlite_commit_duration_seconds_sum')).to.be.greaterThan(0);
  });

  it('shows every projection at the head of the log, with no lag', async () => {
    const head = Number(await app.head());
    for (const projection of allProjections) {
      expect(first.value('sessions_projection_checkpoint_position', { projection: projection.name }), projection.name).to.equal(head);
      expect(first.value('sessions_projection_lag_events', { projection: projection.name }), projection.name).to.equal(0);
    }
  });

  it('shows the document cache as the store holds it', function () {
    // SQLite's group commit and document cache: the embedded profile's own metrics.
    if (app.config.eventStore !== 'sqlite') this.skip();
    const stats = app.running.stores.documentCache!();
    expect(stats.entries).to.be.greaterThan(0);
    expect(first.value('sessions_document_cache_entries')).to.equal(stats.entries);
    expect(first.value('sessions_document_cache_bytes')).to.equal(stats.bytes);
    expect(stats.bytes).to.be.greaterThan(stats.entries * 100);
  });

  it('exposes the rate-limit rejection counter for the rate limiter to increment, and the default process metrics', async () => {
    expect(first.types.get('sessions_rate_limit_rejections_total')).to.equal('counter');
    expect(first.matching('sessions_rate_limit_rejections_total')).to.deep.equal([]);
    app.running.metrics.rateLimitRejections.inc({ route: '/v1/workspace/:workspaceId/sessions' });
    const next = await scrape(app);
    expect(next.value('sessions_rate_limit_rejections_total', { route: '/v1/workspace/:workspaceId/sessions' })).to.equal(1);
    expect(next.types.get('process_cpu_user_seconds_total')).to.equal('counter');
    expect(next.value('nodejs_heap_size_used_bytes')).to.be.greaterThan(0);
  });

  it('needs the metrics token: none, a wrong one or a JWT is a 401, counted like any request', async () => {
    const before = (await scrape(app)).value(duration, { method: 'GET', route: '/metrics', status: '401' }) ?? 0;
    expectProblem(await request(app.url, 'GET', '/metrics'), 401);
    expectProblem(await request(app.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${metricsToken}x` } }), 401);
    expectProblem(await request(app.url, 'GET', '/metrics', { token: c.token }), 401);
    const after = await scrape(app);
    expect(after.value(duration, { method: 'GET', route: '/metrics', status: '401' })).to.equal(before + 3);
  });
});

describe('metrics on a separate port (METRICS_PORT)', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp({ env: { METRICS_PORT: '0' } });
    c = await createCatalog(app);
  });
  after(async () => app.destroy());

  it('serves /metrics there without a token, and only there', async () => {
    const url = app.running.metricsUrl!;
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(url).to.not.equal(app.url);
    // Another server than the API the OpenAPI document describes: plain fetch.
    const reply = await fetch(`${url}/metrics`);
    expect(reply.status).to.equal(200);
    const metrics = parsePrometheus(await reply.text());
    expect(metrics.value('sessions_events_appended_total', { type: 'ServiceDefined' })).to.equal(4);
    expect((await fetch(`${url}/healthz`)).status).to.equal(404);
    await expectRejected(app, 'GET', '/metrics', { token: c.token }, 404);
  });
});

describe('GET /readyz', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { READY_MAX_PROJECTION_LAG: '1' } });
    await createCatalog(app);
  });
  after(async () => app.destroy());

  it('answers 200 without a token when the stores answer and the projections are at the head', async () => {
    const reply = await request(app.url, 'GET', '/readyz');
    expect(reply.status).to.equal(200);
    expect(reply.body).to.deep.include({ status: 'ready', reasons: [], maxProjectionLag: 1 });
    const head = String(await app.head());
    expect(reply.body.projections).to.deep.equal(allProjections.map((p) => ({ projection: p.name, checkpoint: head, lag: 0 })));
  });

  it('answers 503 while a projection is more events behind than READY_MAX_PROJECTION_LAG, and 200 once it is not', async function () {
    // Holds a projection back by writing to the embedded store's checkpoint table.
    if (app.config.eventStore !== 'sqlite') this.skip();
    const { db } = sqliteOf(app);
    const head = Number(await app.head());
    // Move the services projection's checkpoint back two events: the log holds two it has not applied.
    db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?').run(head - 2, 'services');
    const lagging = await request(app.url, 'GET', '/readyz');
    expect(lagging.status).to.equal(503);
    expect(lagging.body.status).to.equal('not-ready');
    expect(lagging.body.reasons).to.deep.equal(['projection services is 2 events behind (at most 1)']);
    expect((await request(app.url, 'GET', '/healthz')).status, 'liveness is not readiness').to.equal(200);

    db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?').run(head - 1, 'services');
    expect((await request(app.url, 'GET', '/readyz')).status).to.equal(200);
    db.prepare('UPDATE projection_checkpoints SET position = ? WHERE name = ?').run(head, 'services');
    expect((await request(app.url, 'GET', '/readyz')).body.projections.every((p: { lag: number }) => p.lag === 0)).to.equal(true);
  });

  it('answers 503 when the store does not answer', async () => {
    await app.running.stores.close();
    const reply = await request(app.url, 'GET', '/readyz');
    expect(reply.status).to.equal(503);
    expect(reply.body.reasons).to.deep.equal(['a store does not answer']);
  });
});

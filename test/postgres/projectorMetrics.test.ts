/**
 * The projector process (src/cli/projector.ts) with METRICS_PORT, for real: an API process
 * (PROJECTOR=external) and projector processes on one PostgreSQL database. The scrapes must show
 * what was done, exactly: the checkpoint of every projection at the position of the last event
 * appended, the lag the number of events appended while no projector wrote, the batches the
 * events applied. /readyz is 200 for the writer and for a standby, and says which.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { projectorName } from '../../src/profiles/production.js';
import { allProjections } from '../../src/projections/index.js';
import { PostgresDatabase } from '../../src/stores/postgres/database.js';
import { PostgresAdvisoryLease } from '../../src/stores/postgres/postgresLease.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { parsePrometheus, type Scrape } from '../support/prometheus.js';
import { clientOf, startApi, startProjector, type ServiceProcess } from './processes.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const projections = allProjections.map((p) => p.name);

interface Probe {
  status: number;
  body: { status: string; role?: string; reasons?: string[]; checks: Record<string, { ok?: boolean; state?: string }> };
}

// The projector's listener is not the API: its probes are not in the API's OpenAPI document, so plain fetch.
const probe = async (base: string, path: '/healthz' | '/readyz'): Promise<Probe> => {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as Probe['body'] };
};

const scrape = async (base: string): Promise<Scrape> => {
  const response = await fetch(`${base}/metrics`);
  expect(response.status).to.equal(200);
  expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await response.text());
};

/** Polls until `check` holds (each try a fresh scrape or probe), failing after `ms` with the last thing seen. */
const eventually = async <T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, ms = 60_000): Promise<T> => {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (check(last)) return last;
    await sleep(100);
  }
  throw new Error(
    `${what}: not after ${ms} ms; last seen ${JSON.stringify(last, (_k, v: unknown) => (typeof v === 'function' ? undefined : v)).slice(0, 500)}`,
  );
};

describe('the projector process serves its metrics and probes on METRICS_PORT (PostgreSQL)', function () {
  this.timeout(300_000);
  const opened = new Resources();
  let database: TestDatabase;
  let db: PostgresDatabase;
  let apiProcess: ServiceProcess | undefined;
  let projector: ServiceProcess | undefined;
  let standby: ServiceProcess | undefined;
  let lease: PostgresAdvisoryLease | undefined;
  let c: Catalog;
  const apiUrl = (): string => {
    if (!apiProcess) throw new Error('the API process did not start');
    return apiProcess.url;
  };

  before(async function () {
    requirePostgres.call(this);
    database = opened.add(await createTestDatabase(), (d) => d.drop());
    db = opened.add(new PostgresDatabase({ url: database.url }), (d) => d.close());
    // A create waits at most a second for the read model (answering from its event after that), so that
    // appends while no projector writes stay quick.
    const api = startApi(database.url, { PROJECTION_WAIT_MS: '1000' });
    const writer = startProjector(database.url, { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    // Each is kept as soon as it runs, so that `after` stops it even if the other failed to start.
    void api.then(
      (p) => (apiProcess = p),
      () => undefined,
    );
    void writer.then(
      (p) => (projector = p),
      () => undefined,
    );
    await Promise.all([api, writer]);
  });

  after(async () => {
    // The processes come and go during the suite: whichever run now are stopped first.
    await Promise.allSettled([apiProcess, projector, standby].flatMap((p) => (p ? [p.stop()] : [])));
    await lease?.release();
    await opened.close();
  });

  /** The log as the database holds it: how many events, and the position of the last. */
  const log = async (): Promise<{ count: number; head: number }> => {
    const { rows } = await db.query<{ count: string; head: string | null }>('SELECT count(*) AS count, max(position) AS head FROM events');
    return { count: Number(rows[0]!.count), head: Number(rows[0]!.head ?? -1) };
  };
  const checkpoints = (s: Scrape) => projections.map((p) => s.value('sessions_projection_checkpoint_position', { projection: p }));
  /**
   * Every checkpoint at `head`, and the write that moved them observed: another connection sees a
   * commit a moment before the process that made it is told, so the checkpoints alone can lead.
   */
  const caughtUp = (s: Scrape, head: number): boolean =>
    checkpoints(s).every((v) => v === head) &&
    s.value('sessions_projector_apply_duration_seconds_count') === s.value('sessions_projector_batch_events_count');
  const lags = (s: Scrape) => projections.map((p) => s.value('sessions_projection_lag_events', { projection: p }));

  it('logs its metrics URL, and is ready as the lease holder once it follows the log', async () => {
    expect(projector!.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await eventually(
      'ready as the writer',
      () => probe(projector!.url, '/readyz'),
      (p) => p.status === 200,
    );
    expect(ready.body).to.deep.include({ status: 'ready', role: 'writer', reasons: [] });
    expect(ready.body.checks.eventStore).to.deep.include({ kind: 'postgres', ok: true });
    expect(ready.body.checks.readStore).to.deep.include({ kind: 'postgres', ok: true });
    const health = await probe(projector!.url, '/healthz');
    expect(health.status).to.equal(200);
    expect(health.body.status).to.equal('ok');
    expect(health.body.checks.projector).to.deep.include({ state: 'subscribed' });
  });

  it('shows every projection at the last event appended through the API, no lag, and the batches that applied them', async () => {
    c = await createCatalog(clientOf(apiUrl()), 'Projector metrics clinic');
    const { count, head } = await log();
    expect(count).to.equal(7); // the workspace, a client, four services, a staff member
    const s = await eventually(
      'checkpoints at the head',
      () => scrape(projector!.url),
      (m) => caughtUp(m, head),
    );
    expect(lags(s)).to.deep.equal(projections.map(() => 0));
    // This process applied the whole log: every event in some batch, each batch one write.
    expect(s.value('sessions_projector_batch_events_sum')).to.equal(count);
    const batches = s.value('sessions_projector_batch_events_count')!;
    expect(batches).to.be.within(1, count);
    expect(s.value('sessions_projector_apply_duration_seconds_count')).to.equal(batches);
    expect(s.value('sessions_projector_batch_duration_seconds_count')).to.equal(batches);
    expect(s.value('sessions_projector_apply_duration_seconds_sum')).to.be.greaterThan(0);
    expect(s.value('sessions_projector_lease_held')).to.equal(1);
    expect(s.value('sessions_projector_state', { state: 'subscribed' })).to.equal(1);
    expect(s.value('sessions_projector_state', { state: 'waiting-for-lease' })).to.equal(0);
    expect(s.value('sessions_projector_resubscriptions_total')).to.equal(0);
    expect(s.types.get('sessions_projector_apply_duration_seconds')).to.equal('histogram');
    // README's metrics table lists exactly the service's metrics this process serves.
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('**Metrics.**'), readme.indexOf('**Readiness.**'));
    const listed = [...table.matchAll(/^\| (`sessions_[^|]+) \|[^|]*\|[^|]*\|([^|]*)\|/gm)]
      .filter(([, , servedBy]) => servedBy!.includes('projector'))
      .flatMap(([, names]) => [...names!.matchAll(/`(sessions_[a-z_]+)`/g)].map(([, name]) => name!));
    expect([...s.types.keys()].filter((name) => name.startsWith('sessions_')).sort()).to.deep.equal(listed.sort());
    // prom-client's default process metrics.
    expect(s.value('process_cpu_user_seconds_total')).to.be.greaterThan(0);
    expect(s.matching('nodejs_heap_size_total_bytes')).to.have.length(1);
  });

  it('as a standby it is ready and writes nothing: the lag grows by exactly the events appended meanwhile', async () => {
    // The writer stops (releasing the lease); the test takes the lease, so the next projector waits.
    await projector!.stop();
    projector = undefined;
    lease = new PostgresAdvisoryLease({ url: database.url, name: projectorName });
    expect(await lease.tryAcquire()).to.equal(true);
    standby = await startProjector(database.url, { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
    const ready = await eventually(
      'ready as a standby',
      () => probe(standby!.url, '/readyz'),
      (p) => p.status === 200,
    );
    expect(ready.body).to.deep.include({ status: 'ready', role: 'standby', reasons: [] });
    expect(ready.body.checks.projector).to.deep.include({ state: 'waiting-for-lease' });

    const before = await log();
    let s = await scrape(standby.url);
    expect(checkpoints(s)).to.deep.equal(projections.map(() => before.head));
    expect(lags(s)).to.deep.equal(projections.map(() => 0));
    expect(s.value('sessions_projector_lease_held')).to.equal(0);
    expect(s.value('sessions_projector_state', { state: 'waiting-for-lease' })).to.equal(1);
    expect(s.value('sessions_projector_batch_events_count')).to.equal(0);

    // Three clients registered and one renamed: four events.
    const ids: string[] = [];
    for (const name of ['Ada', 'Grace', 'Edsger']) {
      const created = await request(apiUrl(), 'POST', `/v1/workspace/${c.workspaceId}/clients`, { token: c.token, body: { name } });
      expect(created.status, created.text).to.equal(201);
      ids.push(created.body.client.id as string);
    }
    const renamed = await request(apiUrl(), 'PATCH', `/v1/workspace/${c.workspaceId}/clients/${ids[0]!}`, {
      token: c.token,
      body: { name: 'Ada Lovelace' },
      headers: { 'if-match': '"1"' },
    });
    expect(renamed.status, renamed.text).to.equal(200);
    const after = await log();
    expect(after.count - before.count).to.equal(4);

    s = await scrape(standby.url);
    expect(checkpoints(s)).to.deep.equal(projections.map(() => before.head));
    expect(lags(s)).to.deep.equal(projections.map(() => 4));
    expect(s.value('sessions_projector_batch_events_count')).to.equal(0);
    expect((await probe(standby.url, '/readyz')).status).to.equal(200);
  });

  it('takes over when the lease is free, and the checkpoint moves to the last event: lag 0, the four events applied', async () => {
    const { head } = await log();
    await lease!.release();
    lease = undefined;
    const s = await eventually(
      'caught up after the takeover',
      () => scrape(standby!.url),
      (m) => caughtUp(m, head),
    );
    expect(lags(s)).to.deep.equal(projections.map(() => 0));
    expect(s.value('sessions_projector_batch_events_sum')).to.equal(4);
    expect(s.value('sessions_projector_apply_duration_seconds_count')).to.equal(s.value('sessions_projector_batch_events_count'));
    expect(s.value('sessions_projector_lease_held')).to.equal(1);
    expect(s.value('sessions_projector_state', { state: 'subscribed' })).to.equal(1);
    const ready = await probe(standby!.url, '/readyz');
    expect(ready.body).to.deep.include({ status: 'ready', role: 'writer' });
    // The read model holds what the standby applied.
    const { rows } = await db.query<{ name: string }>("SELECT doc->>'name' AS name FROM rm_clients WHERE workspace_id = $1 ORDER BY 1", [
      c.workspaceId,
    ]);
    expect(rows.map((r) => r.name)).to.include.members(['Ada Lovelace', 'Grace', 'Edsger']);
  });

  it('stops on SIGTERM with exit code 0, closing its listener', async () => {
    const url = standby!.url;
    await standby!.stop();
    expect(await standby!.exited).to.equal(0);
    standby = undefined;
    let refused = false;
    await fetch(`${url}/healthz`).catch(() => {
      refused = true;
    });
    expect(refused).to.equal(true);
  });
});

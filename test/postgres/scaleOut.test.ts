/**
 * The PostgreSQL profile as it is deployed to scale out: three API processes (PROJECTOR=external)
 * and two projector processes on one database, started at once (so their migrations race). Then
 * the projector holding the lease is killed with SIGKILL in the middle of a load: the other takes
 * over, and nothing is lost or applied twice (a rebuild's verify finds the read model identical
 * to a fresh replay of the log).
 */
import { expect } from 'chai';
import { allProjections } from '../../src/projections/index.js';
import { rebuild } from '../../src/projections/rebuild.js';
import { PostgresDatabase } from '../../src/stores/postgres/database.js';
import { PostgresEventStore } from '../../src/stores/postgres/postgresEventStore.js';
import { PostgresAdvisoryLease } from '../../src/stores/postgres/postgresLease.js';
import { PostgresReadModel } from '../../src/stores/postgres/postgresReadModel.js';
import { postgresRebuildable } from '../../src/stores/postgres/postgresRebuild.js';
import { projectorName } from '../../src/profiles/production.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { clientOf, startApi, startProjector, type ServiceProcess } from './processes.js';
import { createTestDatabase, requirePostgres, type TestDatabase } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sessionBody = (c: Catalog, i: number) => ({
  name: `scale-out ${i}`,
  clientId: c.clientId,
  serviceIds: i % 2 === 0 ? [c.consultationId] : [c.consultationId, c.checkupId],
  date: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
  startTime: '09:00',
});

describe('three API processes and two projector processes on one PostgreSQL database', function () {
  this.timeout(420_000);
  const opened = new Resources();
  let database: TestDatabase;
  let apis: ServiceProcess[] = [];
  let projectors: ServiceProcess[] = [];
  let db: PostgresDatabase;
  let events: PostgresEventStore;
  let readModel: PostgresReadModel;
  let c: Catalog;

  before(async function () {
    requirePostgres.call(this);
    database = opened.add(await createTestDatabase(), (d) => d.drop());
    // All five at once: their schema migrations run concurrently on the empty database.
    const started = await Promise.all([
      startApi(database.url),
      startApi(database.url),
      startApi(database.url),
      startProjector(database.url),
      startProjector(database.url),
    ]);
    apis = started.slice(0, 3);
    projectors = started.slice(3);
    db = opened.add(new PostgresDatabase({ url: database.url }), (d) => d.close());
    events = new PostgresEventStore(db);
    readModel = new PostgresReadModel(db, { projections: allProjections });
    c = await createCatalog(clientOf(apis[0]!.url), 'Scale-out clinic');
  });

  after(async () => {
    await Promise.allSettled([...apis, ...projectors].map((p) => p.stop()));
    await opened.close();
  });

  const sessionsInReadModel = async (): Promise<string[]> =>
    (await db.query<{ id: string }>('SELECT id FROM rm_sessions WHERE workspace_id = $1 ORDER BY id', [c.workspaceId])).rows.map(
      (r) => r.id,
    );

  const createdEvents = async (): Promise<string[]> =>
    (
      await db.query<{ id: string }>(
        `SELECT data->>'sessionId' AS id FROM events WHERE type = 'SessionCreated' AND workspace_id = $1 ORDER BY 1`,
        [c.workspaceId],
      )
    ).rows.map((r) => r.id);

  /** Waits (no time limit but the test's) until every projection's checkpoint is at the head. */
  const projectedToHead = async (): Promise<void> => {
    for (;;) {
      const head = await events.headPosition();
      const checkpoints = await Promise.all(allProjections.map((p) => readModel.checkpoint(p.name)));
      if (checkpoints.every((cp) => cp !== null && head !== null && cp >= head)) return;
      await sleep(50);
    }
  };

  it('serves a session created on one instance from the next one right after the 201, and stores each write once', async () => {
    const created: string[] = [];
    for (let i = 0; i < 24; i += 1) {
      const writer = apis[i % 3]!;
      const reader = apis[(i + 1) % 3]!;
      const reply = await request(writer.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, {
        token: c.token,
        body: sessionBody(c, i),
      });
      expect(reply.status, reply.text).to.equal(201);
      const id = reply.body.session.id as string;
      created.push(id);
      const read = await request(reader.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${id}`, { token: c.token });
      expect(read.status, `GET on another instance right after the 201: ${read.text}`).to.equal(200);
      expect(read.body.session).to.deep.include({ id, name: `scale-out ${i}` });
    }
    // The read model holds every acknowledged session once, and the log one SessionCreated each.
    await projectedToHead();
    expect(await sessionsInReadModel()).to.deep.equal([...created].sort());
    expect(await createdEvents()).to.deep.equal([...created].sort());
    // The list (a keyset-paged read-model query) on a third instance pages through all of them, by start.
    const listed: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await request(
        apis[2]!.url,
        'GET',
        `/v1/workspace/${c.workspaceId}/sessions?limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token: c.token },
      );
      expect(page.status, page.text).to.equal(200);
      listed.push(...(page.body.sessions as { id: string }[]).map((s) => s.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect([...listed].sort()).to.deep.equal([...created].sort());
    // Exactly one of the two projector processes holds the lease.
    const holder = await PostgresAdvisoryLease.holder(db.pool, projectorName);
    expect(holder).to.not.equal(null);
    expect(projectors.map((p) => `sessions-projector-lease:${p.pid}`)).to.include(holder!.applicationName);
  });

  it('goes on after kill -9 of the projector holding the lease mid-load: the other takes over, nothing lost or applied twice', async () => {
    const before = new Set(await sessionsInReadModel());
    const holder = await PostgresAdvisoryLease.holder(db.pool, projectorName);
    const victim = projectors.find((p) => `sessions-projector-lease:${p.pid}` === holder!.applicationName)!;
    const survivor = projectors.find((p) => p !== victim)!;

    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let killedAt = 0;
    let takeoverSeconds: number | null = null;
    const worker = async (w: number): Promise<void> => {
      for (let i = w; i < 45; i += 3) {
        const reply = await request(apis[i % 3]!.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, {
          token: c.token,
          body: sessionBody(c, 100 + i),
        });
        statuses.push(reply.status);
        if (reply.status === 201) acknowledged.push(reply.body.session.id as string);
        if (acknowledged.length === 12 && killedAt === 0) {
          killedAt = performance.now();
          victim.child.kill('SIGKILL');
        }
      }
    };
    const watchTakeover = async (): Promise<void> => {
      while (killedAt === 0) await sleep(10);
      for (;;) {
        const now = await PostgresAdvisoryLease.holder(db.pool, projectorName);
        if (now?.applicationName === `sessions-projector-lease:${survivor.pid}`) {
          takeoverSeconds = (performance.now() - killedAt) / 1000;
          return;
        }
        await sleep(20);
      }
    };
    await Promise.all([worker(0), worker(1), worker(2), watchTakeover()]);
    await victim.exited;
    console.log(`      the surviving projector took the lease ${takeoverSeconds!.toFixed(2)} s after kill -9 of the holder`);

    expect(
      statuses.every((s) => s === 201),
      JSON.stringify(statuses),
    ).to.equal(true);
    expect(acknowledged).to.have.length(45);
    await projectedToHead();
    const now = await sessionsInReadModel();
    expect(now).to.deep.equal([...before, ...acknowledged].sort());
    expect(await createdEvents()).to.deep.equal(now);
    // Nothing applied twice or skipped: the read model equals a fresh replay of the log.
    const result = await rebuild({
      store: { events, readModel: postgresRebuildable(readModel, events, database.url) },
      dryRun: true,
      verify: true,
    });
    expect(result.identical).to.equal(true);
    expect(result.comparison!.checksums!.current).to.equal(result.comparison!.checksums!.rebuilt);
  });
});

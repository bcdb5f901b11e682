/**
 * The PostgreSQL profile as it is deployed to scale out (./cluster.ts): three API processes and
 * three projector processes on one database. Creates made on one instance are served by the next
 * and stored once; kill -9 of the projector holding the lease loses nothing and applies nothing
 * twice (a rebuild's verify finds the read model identical to a fresh replay of the log). The
 * session lifecycle across instances is in ./scaleOutLifecycle.ts, on the same processes.
 */
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { sessionBoundsIdPrefix } from '../../src/projections/sessionView.js';
import { startCluster, type Cluster } from './cluster.js';
import { clientOf } from './processes.js';
import { lifecycleAcrossInstances } from './scaleOutLifecycle.js';
import { requirePostgres } from './support.js';

const sessionBody = (c: Catalog, i: number) => ({
  name: `scale-out ${String(i)}`,
  clientId: c.clientId,
  serviceIds: i % 2 === 0 ? [c.consultationId] : [c.consultationId, c.checkupId],
  date: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}T09:00:00Z`,
  startTime: '09:00',
});

describe('three API processes and three projector processes on one PostgreSQL database', function () {
  this.timeout(420_000);
  const opened = new Resources();
  let cluster: Cluster | undefined;
  const running = (): Cluster => {
    if (cluster === undefined) throw new Error('the cluster did not start');
    return cluster;
  };
  let c: Catalog;

  before(async function () {
    requirePostgres.call(this);
    // All six at once: their schema migrations run concurrently on the empty database.
    cluster = opened.add(await startCluster({ apis: 3, projectors: 3 }), (started) => started.stop());
    c = await createCatalog(clientOf(cluster.apis[0]!.url), 'Scale-out clinic');
  });

  after(async () => {
    await opened.close();
  });

  const sessionsInReadModel = async (): Promise<string[]> =>
    (
      await running().db.query<{ id: string }>(
        `SELECT id FROM rm_sessions WHERE workspace_id = $1 AND id NOT LIKE '${sessionBoundsIdPrefix}%' ORDER BY id`,
        [c.workspaceId],
      )
    ).rows.map((r) => r.id);

  const createdEvents = async (): Promise<string[]> =>
    (
      await running().db.query<{ id: string }>(
        `SELECT data->>'sessionId' AS id FROM events WHERE type = 'SessionCreated' AND workspace_id = $1 ORDER BY 1`,
        [c.workspaceId],
      )
    ).rows.map((r) => r.id);

  it('serves a session created on one instance from the next one right after the 201, and stores each write once', async () => {
    const { apis, projectors } = running();
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
      expect(read.body.session).to.deep.include({ id, name: `scale-out ${String(i)}` });
    }
    // The read model holds every acknowledged session once, and the log one SessionCreated each.
    await running().projectedToHead();
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
    // One of the projector processes holds the lease.
    expect(projectors).to.include(await running().leaseHolder());
  });

  it('goes on after kill -9 of the projector holding the lease mid-load: another takes over, nothing lost or applied twice', async () => {
    const { apis } = running();
    const before = new Set(await sessionsInReadModel());
    const victim = (await running().leaseHolder())!;

    const acknowledged: string[] = [];
    const statuses: number[] = [];
    let killedAt = 0;
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
    const watchTakeover = async () => {
      while (killedAt === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      return running().takeoverFrom(victim, killedAt);
    };
    const [, , , takeover] = await Promise.all([worker(0), worker(1), worker(2), watchTakeover()]);
    await victim.exited;
    console.log(`      a surviving projector took the lease ${takeover.seconds.toFixed(2)} s after kill -9 of the holder`);

    expect(
      statuses.every((s) => s === 201),
      JSON.stringify(statuses),
    ).to.equal(true);
    expect(acknowledged).to.have.length(45);
    await running().projectedToHead();
    const now = await sessionsInReadModel();
    expect(now).to.deep.equal([...before, ...acknowledged].sort());
    expect(await createdEvents()).to.deep.equal(now);
    // Nothing applied twice or skipped: the read model equals a fresh replay of the log.
    const result = await running().verifyRebuild();
    expect(result.identical).to.equal(true);
    expect(result.comparison!.checksums!.current).to.equal(result.comparison!.checksums!.rebuilt);
  });

  describe('the session lifecycle across the instances', () => {
    lifecycleAcrossInstances(running);
  });
});

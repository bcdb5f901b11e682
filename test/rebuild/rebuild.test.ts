import { expect } from 'chai';
import { allProjections } from '../../src/projections/index.js';
import { rebuild } from '../../src/profiles/rebuild.js';
import { sqliteRebuildable } from '../../src/stores/sqlite/sqliteRebuild.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { checksumOf, createSessions, sqliteOf } from './support.js';

const tables = (app: TestApp): string[] =>
  sqliteOf(app)
    .db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rm%' ORDER BY name")
    .pluck()
    .all() as string[];

const checkpoints = (app: TestApp): Record<string, number> =>
  Object.fromEntries(
    (sqliteOf(app).db.prepare('SELECT name, position FROM projection_checkpoints').all() as { name: string; position: number }[]).map(
      (r) => [r.name, r.position],
    ),
  );

describe('rebuilding every read model after a few hundred API calls', () => {
  let app: TestApp;
  let catalogs: Catalog[];
  before(async () => {
    app = await startTestApp();
    catalogs = [await createCatalog(app, 'Clinic A'), await createCatalog(app, 'عيادة ب')];
    for (const [i, c] of catalogs.entries()) await createSessions(app, c, 110, `w${i}`);
  });
  after(async () => app.destroy());

  it('gives a byte-identical read model: the canonical checksum before equals the one after', async () => {
    const store = sqliteOf(app);
    const head = await app.head();
    expect(Number(head)).to.be.greaterThan(230);
    const before = checksumOf(store);
    const someSession = store.db.prepare('SELECT id, doc FROM rm_sessions LIMIT 1').get() as { id: string; doc: string };

    const result = await rebuild({ store, pageSize: 37 });

    expect(result.switched).to.equal(true);
    expect(result.applied).to.equal(Number(head));
    expect(result.position).to.equal(head);
    expect(checksumOf(store)).to.equal(before);
    const served = await request(app.url, 'GET', `/v1/workspace/${JSON.parse(someSession.doc).workspaceId}/sessions/${someSession.id}`, {
      token: catalogs.find((c) => c.workspaceId === JSON.parse(someSession.doc).workspaceId)!.token,
    });
    expect(served.status, served.text).to.equal(200);
    expect(JSON.stringify(served.body.session)).to.equal(someSession.doc);
    for (const projection of allProjections) expect(checkpoints(app)[projection.name]).to.equal(Number(head));
    expect(tables(app)).to.deep.equal(['rm_clients', 'rm_services', 'rm_sessions', 'rm_staff', 'rm_workspaces']);
    expect(await app.head(), 'a rebuild appends nothing').to.equal(head);
  });

  it('with verify, reports equal checksums of the current and rebuilt read models at the same position', async () => {
    const store = sqliteOf(app);
    const result = await rebuild({ store, verify: true });
    expect(result.identical).to.equal(true);
    const comparison = result.comparison!;
    expect(comparison.position).to.equal(await app.head());
    expect(comparison.checksums!.current).to.equal(comparison.checksums!.rebuilt);
    expect(comparison.checksums!.current).to.equal(checksumOf(store));
    const sessions = comparison.collections.find((c) => c.projection === 'sessions')!;
    // 220 sessions and the bounds of each of the two workspaces.
    expect(sessions).to.deep.include({ current: 220 + 2, rebuilt: 220 + 2 });
    expect(sessions.missing.count + sessions.extra.count + sessions.changed.count).to.equal(0);
  });

  it('keeps serving the same documents, and creates after the switch land in the rebuilt tables', async () => {
    const c = catalogs[1]!;
    const [id] = await createSessions(app, c, 1, 'after');
    const reply = await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${id}`, { token: c.token });
    expect(reply.status, reply.text).to.equal(200);
    const result = await rebuild({ store: sqliteOf(app), dryRun: true });
    expect(result.identical).to.equal(true);
  });
});

describe('a rebuild while the API keeps appending', () => {
  let app: TestApp;
  let c: Catalog;
  beforeEach(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    await createSessions(app, c, 40, 'base');
  });
  afterEach(async () => app.destroy());

  it('includes the events appended after the build and before the switch', async () => {
    const store = sqliteOf(app);
    const target = await sqliteRebuildable(store.db).beginRebuild(allProjections, { prepare: (e) => e });
    const built = await target.catchUp!({ pageSize: 10 });
    const builtUpTo = target.position;
    expect(built).to.equal(Number(builtUpTo));

    const appended = await createSessions(app, c, 5, 'during');
    expect((await app.head())! > builtUpTo!, 'appended after the build').to.equal(true);
    const switched = await target.switchOver();

    // 5 sessions, 3 of them with the staff member, whose claims are events too.
    expect(switched.applied).to.equal(8);
    expect(switched.position).to.equal(await app.head());
    for (const id of appended) {
      const reply = await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${id}`, { token: c.token });
      expect(reply.status, reply.text).to.equal(200);
    }
    expect((await rebuild({ store, dryRun: true })).identical).to.equal(true);
  });

  it('ends with every concurrently created session readable and the read model identical to a fresh replay', async () => {
    const store = sqliteOf(app);
    const headAtStart = (await app.head())!;
    const writers = Promise.all([0, 1, 2, 3].map((w) => createSessions(app, c, 8, `concurrent${w}`)));
    // One event per page: many turns of the event loop, in which the writers' requests land.
    const result = await rebuild({ store, pageSize: 1 });
    const created = (await writers).flat();

    expect(result.switched).to.equal(true);
    expect(result.position! > headAtStart, 'events appended during the rebuild are in it').to.equal(true);
    for (const id of created) {
      const reply = await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${id}`, { token: c.token });
      expect(reply.status, reply.text).to.equal(200);
    }
    const check = await rebuild({ store, dryRun: true, verify: true });
    expect(
      check.identical,
      JSON.stringify(check.comparison, (_k, v) => (typeof v === 'bigint' ? String(v) : v)),
    ).to.equal(true);
  });
});

describe('two rebuilds at once', () => {
  it('refuses the second while the first holds the lock, and the first still completes', async () => {
    const app = await startTestApp();
    try {
      const c = await createCatalog(app);
      await createSessions(app, c, 3);
      const store = sqliteOf(app);
      const first = await sqliteRebuildable(store.db).beginRebuild(allProjections, { prepare: (e) => e });
      let error: unknown;
      try {
        await rebuild({ store });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(/another rebuild is running/);
      await first.catchUp!({ pageSize: 100 });
      await first.switchOver();
      expect((await rebuild({ store, dryRun: true })).identical).to.equal(true);
    } finally {
      await app.destroy();
    }
  });
});

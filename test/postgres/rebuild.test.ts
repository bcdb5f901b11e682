/**
 * The blue/green rebuild of the PostgreSQL read models (the rebuild contract of
 * src/stores/readModel.ts on PostgreSQL), on a service running the PostgreSQL profile: the
 * rebuilt read model equals the live one, and its canonical checksum equals the one the SQLite
 * profile computes for the same log.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { allProjections } from '../../src/projections/index.js';
import { rebuild } from '../../src/projections/rebuild.js';
import type { EventStore } from '../../src/stores/eventStore.js';
import { PostgresReadModel } from '../../src/stores/postgres/postgresReadModel.js';
import { postgresReadModelChecksum, postgresRebuildable, RebuildInProgressError } from '../../src/stores/postgres/postgresRebuild.js';
import { sqliteReadModelChecksum } from '../../src/stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { Resources } from '../support/resources.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { createSessions } from '../rebuild/support.js';
import { requirePostgres } from './support.js';

const readModelOf = (app: TestApp): PostgresReadModel => {
  const readModel = app.running.stores.readModel;
  if (!(readModel instanceof PostgresReadModel)) throw new Error('these tests need the PostgreSQL read model');
  return readModel;
};

const rebuildStore = (app: TestApp) => ({
  events: app.running.stores.events,
  readModel: postgresRebuildable(readModelOf(app), app.running.stores.events, app.config.postgres!.url),
});

/** The same log replayed into the SQLite profile: its canonical checksum. */
const sqliteChecksumOf = async (events: EventStore): Promise<string> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-pg-sqlite-'));
  const store = new SqliteStore({ path: path.join(dir, 'sessions.db'), inlineProjections: allProjections });
  try {
    for await (const event of events.readAll()) {
      await store.append(
        event.streamId,
        [{ type: event.type, data: event.data, metadata: event.metadata }],
        event.revision === 0n ? 'no_stream' : event.revision - 1n,
      );
    }
    return sqliteReadModelChecksum(store.db, allProjections).checksum;
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

const tables = async (app: TestApp): Promise<string[]> =>
  (
    await readModelOf(app).db.query<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE tablename LIKE 'rm\\_%' ORDER BY tablename",
    )
  ).rows.map((r) => r.tablename);

describe('rebuilding the PostgreSQL read models', function () {
  const opened = new Resources();
  let app: TestApp;
  let catalogs: Catalog[];

  before(async function () {
    requirePostgres.call(this);
    // A custom database per app comes from startTestApp when POSTGRES_URL is the server's URL.
    app = opened.add(await startTestApp({ env: { EVENT_STORE: 'postgres', READ_STORE: 'postgres' } }), (a) => a.destroy());
    catalogs = [await createCatalog(app, 'Clinic A'), await createCatalog(app, 'عيادة ب')];
    for (const [i, c] of catalogs.entries()) await createSessions(app, c, 30, `w${i}`);
  });
  after(() => opened.close());

  it('with verify, reports equal checksums of the live and rebuilt read models, equal to the SQLite profile for the same log', async () => {
    const before = await postgresReadModelChecksum(readModelOf(app).db, allProjections);
    const result = await rebuild({ store: rebuildStore(app), verify: true });
    expect(result.switched).to.equal(true);
    expect(result.identical).to.equal(true);
    expect(result.comparison!.checksums!.current).to.equal(result.comparison!.checksums!.rebuilt);
    expect(result.comparison!.checksums!.current).to.equal(before.checksum);
    expect(result.position).to.equal(await app.head());
    expect(await sqliteChecksumOf(app.running.stores.events)).to.equal(before.checksum);
    const after = await postgresReadModelChecksum(readModelOf(app).db, allProjections);
    expect(after.checksum).to.equal(before.checksum);
    // 30 sessions in each of the two workspaces, and each workspace's bounds document (the day list's look-behind).
    expect(after.collections.sessions!.documents).to.equal(60 + 2);
    // The new tables replaced the old ones: no __next table is left.
    expect(await tables(app)).to.not.include.members(allProjections.map((p) => `rm_${p.collection}__next`));
    for (const p of allProjections) expect(await readModelOf(app).checkpoint(p.name)).to.equal(result.position);
  });

  it('keeps serving, and creates made during a rebuild are in the switched read model', async () => {
    const c = catalogs[0]!;
    const during: Promise<string[]> = createSessions(app, c, 10, 'during');
    const result = await rebuild({ store: rebuildStore(app), pageSize: 7 });
    const created = await during;
    expect(result.switched).to.equal(true);
    // The projector goes on from the moved checkpoints: every session created is readable.
    for (const id of created) {
      const reply = await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${id}`, { token: c.token });
      expect(reply.status, reply.text).to.equal(200);
    }
    const verify = await rebuild({ store: rebuildStore(app), dryRun: true, verify: true });
    expect(
      verify.identical,
      JSON.stringify(verify.comparison, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    ).to.equal(true);
    expect(verify.switched).to.equal(false);
    expect(await sqliteChecksumOf(app.running.stores.events)).to.equal(verify.comparison!.checksums!.current);
  });

  it('reports a changed document as changed in a dry run, and leaves the live tables as they were', async () => {
    const db = readModelOf(app).db;
    const { rows } = await db.query<{ id: string }>('SELECT id FROM rm_sessions ORDER BY id LIMIT 1');
    const id = rows[0]!.id;
    await db.query(
      `UPDATE rm_sessions SET doc = json_build_object('id', id, 'workspaceId', workspace_id, 'tampered', true) WHERE id = $1`,
      [id],
    );
    const before = await postgresReadModelChecksum(db, allProjections);
    const result = await rebuild({ store: rebuildStore(app), dryRun: true, verify: true, projections: ['sessions'] });
    expect(result.identical).to.equal(false);
    const sessions = result.comparison!.collections.find((c) => c.collection === 'sessions')!;
    expect(sessions.changed).to.deep.equal({ count: 1, examples: [id] });
    expect(sessions.missing.count + sessions.extra.count).to.equal(0);
    expect((await postgresReadModelChecksum(db, allProjections)).checksum).to.equal(before.checksum);
    expect(await tables(app)).to.not.include('rm_sessions__next');
    // A real rebuild repairs it.
    const repaired = await rebuild({ store: rebuildStore(app), verify: true, projections: ['sessions'] });
    expect(repaired.identical).to.equal(false);
    const again = await rebuild({ store: rebuildStore(app), dryRun: true, verify: true });
    expect(again.identical).to.equal(true);
  });

  it('refuses a second rebuild while the first holds the rebuild lock', async () => {
    const first = await rebuildStore(app).readModel.beginRebuild(allProjections, { prepare: (e) => e });
    try {
      let refused: unknown;
      await rebuild({ store: rebuildStore(app) }).catch((error: unknown) => (refused = error));
      expect(refused).to.be.instanceOf(RebuildInProgressError);
    } finally {
      await first.discard();
    }
    expect((await rebuild({ store: rebuildStore(app) })).switched).to.equal(true);
  });
});

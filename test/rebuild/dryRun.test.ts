import { expect } from 'chai';
import { rebuild } from '../../src/profiles/rebuild.js';
import { sessionBoundsId } from '../../src/projections/sessionView.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { checksumOf, createSessions, sqliteOf } from './support.js';

describe('a dry run against a read model that drifted from the log', () => {
  let app: TestApp;
  let c: Catalog;
  let sessions: string[];
  beforeEach(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    sessions = await createSessions(app, c, 6);
  });
  afterEach(async () => app.destroy());

  const tamper = (): { changed: string; missing: string; extra: string } => {
    const db = sqliteOf(app).db;
    const [changed, missing] = [sessions[1]!, sessions[4]!];
    db.prepare("UPDATE rm_sessions SET doc = json_set(doc, '$.name', 'tampered') WHERE id = ?").run(changed);
    db.prepare('DELETE FROM rm_sessions WHERE id = ?').run(missing);
    const extra = 'ffffffffffffffffffffffff';
    db.prepare('INSERT INTO rm_sessions (id, workspace_id, doc, position) VALUES (?, ?, ?, 1)').run(
      extra,
      c.workspaceId,
      JSON.stringify({ id: extra, workspaceId: c.workspaceId }),
    );
    // Direct SQL on the store's own connection bypasses its document cache (projections never do).
    sqliteOf(app).invalidateDocumentCache();
    return { changed, missing, extra };
  };

  it('reports the missing, extra and changed documents with their ids, and switches nothing', async () => {
    const ids = tamper();
    const store = sqliteOf(app);
    const before = checksumOf(store);
    const head = await app.head();

    const result = await rebuild({ store, dryRun: true, verify: true });

    expect(result.switched).to.equal(false);
    expect(result.identical).to.equal(false);
    const sessionsDiff = result.comparison!.collections.find((x) => x.projection === 'sessions')!;
    expect(sessionsDiff).to.deep.equal({
      projection: 'sessions',
      collection: 'sessions',
      // Six sessions, less the one deleted, plus the one inserted, and the workspace's bounds.
      current: 6 + 1,
      rebuilt: 6 + 1,
      missing: { count: 1, examples: [ids.missing] },
      extra: { count: 1, examples: [ids.extra] },
      changed: { count: 1, examples: [ids.changed] },
      checksums: sessionsDiff.checksums,
    });
    expect(sessionsDiff.checksums!.current).to.not.equal(sessionsDiff.checksums!.rebuilt);
    for (const other of result.comparison!.collections.filter((x) => x.projection !== 'sessions')) {
      expect(other.missing.count + other.extra.count + other.changed.count, other.projection).to.equal(0);
      expect(other.checksums!.current).to.equal(other.checksums!.rebuilt);
    }
    // Nothing switched, nothing left behind, nothing appended.
    expect(checksumOf(store)).to.equal(before);
    expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%\\_\\_next' ESCAPE '\\'").all()).to.deep.equal([]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM rebuild_lock').get()).to.deep.equal({ n: 0 });
    expect(await app.head()).to.equal(head);
  });

  it('limits the example ids to the number asked for', async () => {
    const db = sqliteOf(app).db;
    db.prepare("UPDATE rm_sessions SET doc = json_set(doc, '$.status', 'cancelled') WHERE id != ?").run(sessionBoundsId(c.workspaceId));
    const result = await rebuild({ store: sqliteOf(app), dryRun: true, examples: 2 });
    const changed = result.comparison!.collections.find((x) => x.projection === 'sessions')!.changed;
    expect(changed.count).to.equal(6);
    expect(changed.examples).to.deep.equal([...sessions].sort().slice(0, 2));
  });

  it('is repaired by a real rebuild, after which a dry run finds no difference', async () => {
    tamper();
    const store = sqliteOf(app);
    const repaired = await rebuild({ store });
    expect(repaired.switched).to.equal(true);
    const check = await rebuild({ store, dryRun: true, verify: true });
    expect(check.identical).to.equal(true);
    // The six sessions and the workspace's bounds.
    expect(check.comparison!.collections.find((x) => x.projection === 'sessions')).to.deep.include({ current: 6 + 1, rebuilt: 6 + 1 });
  });
});

describe('rebuilding one projection', () => {
  it("replaces only that projection's table and checkpoint", async () => {
    const app = await startTestApp();
    try {
      const c = await createCatalog(app);
      const [sessionId] = await createSessions(app, c, 2);
      const store = sqliteOf(app);
      const db = store.db;
      db.prepare("UPDATE rm_clients SET doc = json_set(doc, '$.name', 'tampered') WHERE id = ?").run(c.clientId);
      db.prepare("UPDATE rm_sessions SET doc = json_set(doc, '$.name', 'tampered') WHERE id = ?").run(sessionId);
      db.prepare("UPDATE projection_checkpoints SET position = 1 WHERE name IN ('clients', 'sessions')").run();
      store.invalidateDocumentCache();

      const result = await rebuild({ store, projections: ['clients'] });

      expect(result.projections).to.deep.equal(['clients']);
      expect(result.applied).to.equal(1);
      expect((await store.find('clients', c.workspaceId, c.clientId))!.name).to.equal(c.clientName);
      expect((await store.find('sessions', c.workspaceId, sessionId!))!.name).to.equal('tampered');
      expect(await store.checkpoint('clients')).to.equal(await app.head());
      expect(await store.checkpoint('sessions')).to.equal(1n);
    } finally {
      await app.destroy();
    }
  });

  it('rejects an unknown projection name before touching anything', async () => {
    const app = await startTestApp();
    try {
      let error: unknown;
      await rebuild({ store: sqliteOf(app), projections: ['nope'] }).catch((e: unknown) => (error = e));
      expect((error as Error).message).to.match(/unknown projection "nope"; known: workspaces, clients, services, staff, sessions/);
    } finally {
      await app.destroy();
    }
  });
});

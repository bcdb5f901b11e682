import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { rebuild } from '../../src/profiles/rebuild.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { createCatalog } from '../support/catalog.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { checksumOf, createSessions, dataDirWithFixture, loadFixture, sqliteOf } from './support.js';

// Small logs and a threshold of 0 put the worker-thread path (used for large logs) under test.
const parallel = { workers: 1, parallelThreshold: 0, pageSize: 7 };

describe('a rebuild with worker threads', function () {
  this.timeout(30_000);
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
    const c = await createCatalog(app, 'عيادة');
    await createSessions(app, c, 60, 'par');
  });
  after(async () => app.destroy());

  it('gives the same bytes as the inline projections', async () => {
    const store = sqliteOf(app);
    const before = checksumOf(store);
    const head = await app.head();
    const result = await rebuild({ store, ...parallel });
    expect(result.applied).to.equal(Number(head));
    expect(result.position).to.equal(head);
    expect(checksumOf(store)).to.equal(before);
  });

  it('rebuilds a tampered projection alone, and a dry run with workers then finds nothing', async () => {
    const store = sqliteOf(app);
    const before = checksumOf(store);
    store.db.prepare("UPDATE rm_sessions SET doc = json_set(doc, '$.name', 'x')").run();
    await rebuild({ store, projections: ['sessions'], ...parallel });
    expect(checksumOf(store)).to.equal(before);
    expect((await rebuild({ store, dryRun: true, verify: true, ...parallel })).identical).to.equal(true);
  });
});

describe('a rebuild with worker threads of a log with v1 and unprojectable events', function () {
  this.timeout(30_000);
  it('upcasts in the workers and reports the skipped events once per kind', async () => {
    const fixture = loadFixture('session-created-v1.json');
    const dataDir = await dataDirWithFixture(fixture);
    try {
      const path = sqliteDatabasePath(dataDir);
      const store = new SqliteStore({ path });
      const meta = {
        occurredAt: '2025-01-01T00:00:00.000Z',
        actor: { userId: 'tool' },
        workspaceId: fixture.workspaceId,
        requestId: 'r',
        correlationId: 'r',
      };
      await store.append(
        'tool-1',
        [{ type: 'Mystery', data: {}, metadata: { ...meta, eventId: randomUUID(), schemaVersion: 1 } }],
        'no_stream',
      );
      await store.append('tool-1', [{ type: 'Mystery', data: {}, metadata: { ...meta, eventId: randomUUID(), schemaVersion: 1 } }], 0n);
      await store.close();

      const warnings: string[] = [];
      const result = await rebuild({ store: path, ...parallel, onWarning: (_d, message) => warnings.push(message) });
      expect(result.skipped.map((k) => [k.type, k.count])).to.deep.equal([['Mystery', 2]]);
      expect(warnings).to.have.length(1);
      const reopened = new SqliteStore({ path });
      try {
        for (const [id, expected] of Object.entries(fixture.expectedSessions)) {
          expect(await reopened.find('sessions', fixture.workspaceId, id)).to.deep.equal(expected);
        }
        expect(await reopened.checkpoint('sessions')).to.equal(await reopened.headPosition());
      } finally {
        await reopened.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

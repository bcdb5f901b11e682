import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { allProjections } from '../../src/projections/index.js';
import { projectableEvents, SkippedEvents } from '../../src/projections/projectableEvents.js';
import { catchUp } from '../../src/projections/projector.js';
import { rebuild } from '../../src/profiles/rebuild.js';
import type { EventToAppend } from '../../src/stores/eventStore.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { checksumOf, createSessions, sqliteOf } from './support.js';

const foreign = (workspaceId: string, type: string, schemaVersion: number, data: unknown): EventToAppend => ({
  type,
  data,
  metadata: {
    eventId: randomUUID(),
    occurredAt: '2025-01-01T00:00:00.000Z',
    actor: { userId: 'migration-tool' },
    workspaceId,
    requestId: 'tool',
    correlationId: 'tool',
    schemaVersion,
  },
});

/** Appends, through the port of a store without projections (another tool, a newer release), events this release cannot project. */
const appendUnprojectable = async (dataDir: string, c: Catalog, sessionId: string): Promise<void> => {
  const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
  try {
    await store.append(`session-${sessionId}`, [foreign(c.workspaceId, 'SessionArchivedByLegacyTool', 1, { sessionId })], 'any');
    await store.append(
      'session-ffffffffffffffffffff0001',
      [foreign(c.workspaceId, 'SessionCreated', 99, { id: 'ffffffffffffffffffff0001', shape: 'from the future' })],
      'no_stream',
    );
    await store.append(`session-${sessionId}`, [foreign(c.workspaceId, 'SessionArchivedByLegacyTool', 1, { sessionId })], 'any');
  } finally {
    await store.close();
  }
};

describe('events this release cannot project (unknown type, newer schemaVersion)', () => {
  let app: TestApp;
  let c: Catalog;
  let sessionId: string;
  let dataDir: string;
  let checksum: string;
  beforeEach(async () => {
    app = await startTestApp();
    dataDir = app.dataDir;
    c = await createCatalog(app);
    [sessionId] = (await createSessions(app, c, 3)) as [string];
    checksum = checksumOf(sqliteOf(app));
    await app.stop();
    await appendUnprojectable(dataDir, c, sessionId);
  });
  afterEach(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('are skipped by a rebuild with one warning per kind, and the checkpoints move past them', async () => {
    const warnings: string[] = [];
    const result = await rebuild({ store: sqliteDatabasePath(dataDir), onWarning: (_d, message) => warnings.push(message) });

    expect(result.switched).to.equal(true);
    expect(result.skipped.map(({ type, schemaVersion, count }) => ({ type, schemaVersion, count }))).to.deep.equal([
      { type: 'SessionArchivedByLegacyTool', schemaVersion: 1, count: 2 },
      { type: 'SessionCreated', schemaVersion: 99, count: 1 },
    ]);
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.match(/SessionArchivedByLegacyTool v1.*unknown event type/);
    expect(warnings[1]).to.match(/SessionCreated v99.*not the version this release projects \(3\)/);
    const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
    try {
      expect(checksumOf(store)).to.equal(checksum);
      const head = await store.headPosition();
      for (const projection of allProjections) expect(await store.checkpoint(projection.name)).to.equal(head);
    } finally {
      await store.close();
    }
  });

  it('are skipped by the start-up catch-up with a warning, and the API serves as before', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const restarted = await startTestApp({ dataDir, start: { logger } });
    try {
      const warnings = lines.map((line) => JSON.parse(line) as { level: number; type?: string; msg: string }).filter((l) => l.level === 40);
      expect(warnings.map((w) => w.type).sort()).to.deep.equal(['SessionArchivedByLegacyTool', 'SessionCreated']);
      const reply = await request(restarted.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${sessionId}`, { token: c.token });
      expect(reply.status, reply.text).to.equal(200);
      expect(checksumOf(sqliteOf(restarted))).to.equal(checksum);
      // The audit log still shows them, as stored.
      const audit = await request(restarted.url, 'GET', `/v1/workspace/${c.workspaceId}/audit?type=SessionArchivedByLegacyTool`, {
        token: c.token,
      });
      expect(audit.status, audit.text).to.equal(200);
      expect(audit.body.items).to.have.length(2);
    } finally {
      await restarted.stop();
    }
  });

  it('are skipped by catchUp reading through projectableEvents', async () => {
    const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
    try {
      store.db.exec('DELETE FROM projection_checkpoints');
      const skipped = new SkippedEvents();
      const result = await catchUp(projectableEvents(store, skipped), store, allProjections);
      expect(result.applied).to.be.greaterThan(0);
      expect(skipped.total).to.equal(3);
      expect(checksumOf(store)).to.equal(checksum);
    } finally {
      await store.close();
    }
  });
});

describe('an event of an unknown type appended where projections run inline', () => {
  it('is stored, left alone by every projection, and passed by the checkpoints', async () => {
    const app = await startTestApp();
    try {
      const c = await createCatalog(app);
      const before = checksumOf(sqliteOf(app));
      const result = await app.running.stores.events.append('tool-1', [foreign(c.workspaceId, 'SomethingNew', 1, { x: 1 })], 'no_stream');
      for (const projection of allProjections) expect(await sqliteOf(app).checkpoint(projection.name)).to.equal(result.position);
      expect(checksumOf(sqliteOf(app))).to.equal(before);
    } finally {
      await app.destroy();
    }
  });
});

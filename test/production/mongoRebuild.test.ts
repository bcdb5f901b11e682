/**
 * The blue/green rebuild of MongoDB read models against a real MongoDB server, when MONGODB_URL is
 * set (skipped otherwise), from the embedded SQLite log (EVENT_STORE=sqlite READ_STORE=mongodb):
 *   docker compose up -d mongodb
 *   MONGODB_URL='mongodb://localhost:27017' npx mocha test/production/mongoRebuild.test.ts
 * Each test uses its own database, dropped afterwards. The API runs on the embedded profile, so its
 * SQLite read model is the reference the MongoDB one must equal, checksum for checksum.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';
import { pino } from 'pino';
import { AsyncProjector } from '../../src/projections/asyncProjector.js';
import { allProjections } from '../../src/projections/index.js';
import { pollingSource } from '../../src/projections/pollingSource.js';
import { rebuild } from '../../src/profiles/rebuild.js';
import { leasesCollection, MongoLease } from '../../src/stores/mongodb/mongoLease.js';
import { checkpointsCollection, MongoReadModel, type StoredDocument } from '../../src/stores/mongodb/mongoReadModel.js';
import {
  mongoReadModelChecksum,
  mongoRebuildable,
  ProjectorLeaseError,
  rebuildsCollection,
} from '../../src/stores/mongodb/mongoRebuild.js';
import { declaredIndexes } from '../../src/stores/mongodb/mongoIndexes.js';
import { encodePosition } from '../../src/stores/mongodb/positions.js';
import { projectableOnly } from '../../src/profiles/production.js';
import type { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { Resources } from '../support/resources.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { checksumOf, createSessions, sqliteOf } from '../rebuild/support.js';

const url = process.env.MONGODB_URL?.trim();
const silentLogger = pino({ level: 'silent' });

describe('rebuilding MongoDB read models from the event log', function () {
  const opened = new Resources();
  /** What each test opens (its database, its app), closed after it. */
  const openedForTest = new Resources();
  let client: MongoClient;
  let db: Db;
  let readModel: MongoReadModel;
  let app: TestApp;
  let c: Catalog;
  let sessions: string[];
  let log: SqliteStore;

  before(async function () {
    if (!url) {
      console.log("      skipped: set MONGODB_URL (e.g. 'mongodb://localhost:27017') to run the MongoDB rebuild tests");
      this.skip();
    }
    client = opened.add(new MongoClient(url, { serverSelectionTimeoutMS: 5000 }), (mongo) => mongo.close());
    await client.connect();
  });
  after(() => opened.close());

  beforeEach(async () => {
    db = openedForTest.add(client.db(`sessions_rebuild_${randomUUID().replace(/-/g, '').slice(0, 12)}`), (d) => d.dropDatabase());
    readModel = new MongoReadModel(db);
    await readModel.ensureIndexes(allProjections);
    app = openedForTest.add(await startTestApp({ env: { EVENT_STORE: 'sqlite', READ_STORE: 'sqlite' } }), (a) => a.destroy());
    c = await createCatalog(app);
    sessions = await createSessions(app, c, 8);
    log = sqliteOf(app);
  });
  afterEach(() => openedForTest.close());

  const target = (settings: Parameters<typeof mongoRebuildable>[2] = {}) => ({
    events: log,
    readModel: mongoRebuildable(readModel, log, { takeoverWaitMs: 300, ...settings }),
  });

  const leftovers = async (): Promise<string[]> =>
    (await db.listCollections({}, { nameOnly: true }).toArray()).map((x) => x.name).filter((name) => name.includes('__rebuild_'));

  const expectSameAsSqlite = async (): Promise<void> => {
    expect((await mongoReadModelChecksum(db, allProjections)).checksum).to.equal(checksumOf(log));
    for (const id of sessions) {
      expect(await readModel.find('sessions', c.workspaceId, id), id).to.deep.equal(await log.find('sessions', c.workspaceId, id));
    }
  };

  const tamper = async (): Promise<{ changed: string; missing: string; extra: string }> => {
    const [changed, missing] = [sessions[1]!, sessions[4]!];
    const sessionsCollection = db.collection<StoredDocument>('sessions');
    expect((await sessionsCollection.updateOne({ _id: changed }, { $set: { name: 'tampered' } })).modifiedCount).to.equal(1);
    expect((await sessionsCollection.deleteOne({ _id: missing })).deletedCount).to.equal(1);
    const extra = 'ffffffffffffffffffffffff';
    await sessionsCollection.insertOne({ _id: extra, id: extra, workspaceId: c.workspaceId, _position: encodePosition(1n) });
    return { changed, missing, extra };
  };

  it('builds documents equal to the embedded read model (same checksums) and moves the checkpoints to the head', async () => {
    const head = await app.head();
    const result = await rebuild({ store: target() });

    expect(result.switched).to.equal(true);
    expect(result.position).to.equal(head);
    await expectSameAsSqlite();
    for (const projection of allProjections) expect(await readModel.checkpoint(projection.name), projection.name).to.equal(head);
    expect(await leftovers()).to.deep.equal([]);
    expect(await db.collection(rebuildsCollection).countDocuments()).to.equal(0);
    expect(await db.collection(leasesCollection).countDocuments()).to.equal(0);
    // Reads by id use _id_; the old { workspaceId, _id } index (redundant with it) is not recreated.
    const declared = declaredIndexes(allProjections.find((p) => p.collection === 'sessions')!).map((index) => index.name);
    expect((await db.collection('sessions').listIndexes().toArray()).map((index) => index.name).sort()).to.deep.equal(
      ['_id_', ...declared].sort(),
    );
  });

  it('gives the new collections the declared indexes and copies operator-created ones with all their options', async () => {
    await rebuild({ store: target() });
    const live = db.collection('sessions');
    await live.createIndex({ workspaceId: 1, _id: 1 }, { name: 'workspaceId_id' }, undefined);
    await live.createIndex(
      { workspaceId: 1, name: 1 },
      { name: 'by_name', collation: { locale: 'fr', strength: 2 }, partialFilterExpression: { name: { $exists: true } } },
      undefined,
    );
    await live.createIndex({ expiresAt: 1 }, { name: 'ttl', expireAfterSeconds: 3600 }, undefined);
    await live.createIndex({ name: 'text', notes: 'text' }, { name: 'text', weights: { name: 5 }, default_language: 'french' }, undefined);
    const declared = {
      ...allProjections.find((p) => p.name === 'sessions')!,
      indexes: [{ name: 'by_tag', fields: ['tags'], multi: true }],
    };
    const rebuilt = await mongoRebuildable(readModel, log, { takeoverWaitMs: 300 }).beginRebuild([declared], { prepare: (event) => event });
    try {
      const next = (await db.listCollections({}, { nameOnly: true }).toArray())
        .map((x) => x.name)
        .find((name) => name.startsWith('sessions__rebuild_'))!;
      const indexes = new Map((await db.collection(next).listIndexes().toArray()).map((index) => [index.name, index]));
      expect([...indexes.keys()].sort()).to.deep.equal(['_id_', 'by_name', 'ix_by_tag', 'text', 'ttl']);
      expect(indexes.get('ix_by_tag')!.key).to.deep.equal({ workspaceId: 1, tags: 1, _id: 1 });
      expect(indexes.get('by_name')).to.deep.include({ partialFilterExpression: { name: { $exists: true } } });
      expect(indexes.get('by_name')!.collation).to.deep.include({ locale: 'fr', strength: 2 });
      expect(indexes.get('ttl')).to.deep.include({ expireAfterSeconds: 3600 });
      expect(indexes.get('text')).to.deep.include({ weights: { name: 5, notes: 1 }, default_language: 'french' });
    } finally {
      await rebuilt.discard();
    }
  });

  it('in a dry run, reports a tampered, a deleted and an extra document, and leaves the live collections as they were', async () => {
    await rebuild({ store: target() });
    const ids = await tamper();
    const before = await mongoReadModelChecksum(db, allProjections);

    const result = await rebuild({ store: target(), dryRun: true, verify: true });

    expect(result.switched).to.equal(false);
    expect(result.identical).to.equal(false);
    const diff = result.comparison!.collections.find((x) => x.projection === 'sessions')!;
    expect(diff).to.deep.include({
      current: 8,
      rebuilt: 8,
      missing: { count: 1, examples: [ids.missing] },
      extra: { count: 1, examples: [ids.extra] },
      changed: { count: 1, examples: [ids.changed] },
    });
    // The rebuilt side hashes like the embedded read model of the same log.
    expect(diff.checksums!.rebuilt).to.equal(await sqliteCollectionChecksum('sessions'));
    for (const other of result.comparison!.collections.filter((x) => x.projection !== 'sessions')) {
      expect(other.missing.count + other.extra.count + other.changed.count, other.projection).to.equal(0);
      expect(other.checksums!.current).to.equal(other.checksums!.rebuilt);
    }
    expect(await mongoReadModelChecksum(db, allProjections)).to.deep.equal(before);
    expect((await readModel.find('sessions', c.workspaceId, ids.changed))?.name).to.equal('tampered');
    expect(await leftovers()).to.deep.equal([]);
  });

  it('switches a tampered collection out for the rebuilt one', async () => {
    await rebuild({ store: target() });
    await tamper();
    const result = await rebuild({ store: target(), projections: ['sessions'] });
    expect(result.switched).to.equal(true);
    expect(result.projections).to.deep.equal(['sessions']);
    await expectSameAsSqlite();
    expect(await readModel.find('sessions', c.workspaceId, 'ffffffffffffffffffffffff')).to.equal(null);
    expect(await leftovers()).to.deep.equal([]);
  });

  it('compares at one position: the live collections are first brought to it, and events appended meanwhile are included', async () => {
    await rebuild({ store: target() });
    sessions.push(...(await createSessions(app, c, 3, 'later')));
    const head = await app.head();
    const result = await rebuild({ store: target(), dryRun: true, verify: true });
    expect(result.comparison!.position).to.equal(head);
    expect(
      result.identical,
      JSON.stringify(result.comparison, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
    ).to.equal(true);
    for (const projection of allProjections) expect(await readModel.checkpoint(projection.name), projection.name).to.equal(head);
    await expectSameAsSqlite();
  });

  it('takes the projector lease over from a live projector, waits it out, and gives it back', async () => {
    const projectorLease = new MongoLease(db, 'read-models', 'api-1:projector', 60_000);
    expect(await projectorLease.tryAcquire()).to.equal(true);
    const result = await rebuild({ store: target({ takeoverWaitMs: 200 }) });
    expect(result.switched).to.equal(true);
    expect(await projectorLease.holder()).to.equal(null);
    await expectSameAsSqlite();
  });

  it('refuses to take the lease from another rebuild, naming it, and drops what it built', async () => {
    const other = new MongoLease(db, 'read-models', 'rebuild:elsewhere:1:abc', 60_000);
    expect(await other.tryAcquire()).to.equal(true);
    let failure: unknown;
    try {
      await rebuild({ store: target() });
    } catch (error) {
      failure = error;
    }
    expect(failure).to.be.instanceOf(ProjectorLeaseError);
    expect((failure as Error).message).to.match(/another rebuild holds the projector lease "read-models" \(rebuild:elsewhere:1:abc/);
    expect(await leftovers()).to.deep.equal([]);
    expect(await db.collection(rebuildsCollection).countDocuments()).to.equal(0);
    expect(await db.collection(checkpointsCollection).countDocuments()).to.equal(0);
  });

  it('switches while a live async projector follows the log, which then goes on from the moved checkpoints', async () => {
    const projector = new AsyncProjector({
      name: 'read-models',
      source: pollingSource(log, { intervalMs: 20 }),
      readModel,
      projections: allProjections,
      logger: silentLogger,
      lease: { lease: new MongoLease(db, 'read-models', 'api-1:projector', 400), ttlMs: 400, renewEveryMs: 100, retryEveryMs: 100 },
      prepare: projectableOnly(silentLogger),
    });
    projector.start();
    try {
      await until(async () => (await readModel.checkpoint('sessions')) === (await app.head()));
      await tamper();
      const writing = createSessions(app, c, 4, 'during');
      const result = await rebuild({ store: target({ takeoverWaitMs: 600 }), projections: ['sessions'] });
      sessions.push(...(await writing));
      expect(result.switched).to.equal(true);
      const head = await app.head();
      await until(async () => (await Promise.all(allProjections.map((p) => readModel.checkpoint(p.name)))).every((at) => at === head));
      await expectSameAsSqlite();
      expect(projector.status().holdsLease).to.equal(true);
    } finally {
      await projector.stop();
    }
  });

  const sqliteCollectionChecksum = async (collection: string): Promise<string> => {
    const { sqliteReadModelChecksum } = await import('../../src/stores/sqlite/sqliteRebuild.js');
    return sqliteReadModelChecksum(log.db, allProjections).collections[collection]!.checksum;
  };
});

const until = async (condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

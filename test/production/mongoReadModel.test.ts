/**
 * MongoDB read-model behaviour the contract suite cannot show, against a real server when
 * MONGODB_URL is set (skipped otherwise): the declared indexes brought to what is declared at
 * start, and a write that lost an insert race to another writer re-applied to what that writer
 * stored instead of being dropped, and `where` selectors while a rebuild builds new collections
 * (compared with the SQLite read model of the same log). Each test uses its own database, dropped
 * afterwards.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';
import type { Projection, StoredEvent } from '../../src/projections/projection.js';
import { MongoReadModel, type StoredDocument } from '../../src/stores/mongodb/mongoReadModel.js';
import { mongoRebuildable } from '../../src/stores/mongodb/mongoRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { encodePosition } from '../../src/stores/mongodb/positions.js';
import { Resources } from '../support/resources.js';

const url = process.env.MONGODB_URL?.trim();
const workspaceId = 'w'.repeat(24);

const counters = (indexes: Projection['indexes'] = []): Projection => ({
  name: `counters_${randomUUID().slice(0, 8)}`,
  collection: 'counters',
  handles: ['Counted'],
  indexes,
  documents: (event) => ({ workspaceId, ids: [(event.data as { id: string }).id] }),
  evolve: (current, event) => ({
    id: (event.data as { id: string }).id,
    workspaceId,
    count: ((current?.count as number | undefined) ?? 0) + 1,
  }),
});

const counted = (position: bigint, id: string): StoredEvent => ({
  streamId: `counter-${id}`,
  revision: 0n,
  position,
  type: 'Counted',
  data: { id },
  metadata: {
    eventId: randomUUID(),
    occurredAt: '2024-01-01T00:00:00.000Z',
    actor: { userId: 'u' },
    workspaceId,
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
});

describe('the MongoDB read model against a real server', function () {
  const opened = new Resources();
  let client: MongoClient;
  let db: Db;

  before(async function () {
    if (!url) {
      console.log("      skipped: set MONGODB_URL (e.g. 'mongodb://localhost:27017') to run the MongoDB read-model tests");
      this.skip();
    }
    client = opened.add(new MongoClient(url, { serverSelectionTimeoutMS: 5000 }), (mongo) => mongo.close());
    await client.connect();
  });
  after(() => opened.close());
  beforeEach(() => {
    db = client.db(`sessions_rm_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
  });
  afterEach(async () => db.dropDatabase());

  it("creates the declared indexes at start, replaces a changed one, drops the undeclared and the legacy ones, keeps an operator's", async () => {
    const collection = db.collection('counters');
    await collection.createIndex({ workspaceId: 1, _id: 1 }, { name: 'workspaceId_id' }, undefined);
    await collection.createIndex({ workspaceId: 1, count: 1, _id: 1 }, { name: 'ix_by_count' }, undefined);
    await collection.createIndex({ workspaceId: 1, gone: 1, _id: 1 }, { name: 'ix_gone' }, undefined);
    await collection.createIndex({ note: 1 }, { name: 'operator_note' }, undefined);
    const readModel = new MongoReadModel(db);
    await readModel.ensureIndexes([
      counters([
        { name: 'by_count', fields: ['count', 'label'] },
        { name: 'by_tag', fields: ['tags'], multi: true },
      ]),
    ]);
    const indexes = new Map((await collection.listIndexes().toArray()).map((index) => [index.name, index.key]));
    expect([...indexes.keys()].sort()).to.deep.equal(['_id_', 'ix_by_count', 'ix_by_tag', 'operator_note']);
    expect(indexes.get('ix_by_count')).to.deep.equal({ workspaceId: 1, count: 1, label: 1, _id: 1 });
    expect(indexes.get('ix_by_tag')).to.deep.equal({ workspaceId: 1, tags: 1, _id: 1 });
  });

  it('re-applies a write that lost its insert to another writer onto the document that writer stored', async () => {
    const readModel = new MongoReadModel(db);
    const projection = counters();
    // This writer saw no document and evolved event 9 from nothing...
    const pending = await readModel.evolveProjection(projection, [counted(9n, 'a')]);
    // ...while another writer inserted the document as it is after event 5.
    await db.collection<StoredDocument>('counters').insertOne({ _id: 'a', id: 'a', workspaceId, count: 1, _position: encodePosition(5n) });
    await readModel.writeDocuments(pending);
    expect(await readModel.find('counters', workspaceId, 'a')).to.deep.equal({ id: 'a', workspaceId, count: 2 });
    const stored = await db.collection<StoredDocument>('counters').findOne({ _id: 'a' });
    expect(stored?._position).to.equal(encodePosition(9n));
  });

  it('leaves the document alone when the writer that won had already applied the event', async () => {
    const readModel = new MongoReadModel(db);
    const pending = await readModel.evolveProjection(counters(), [counted(9n, 'a')]);
    await db.collection<StoredDocument>('counters').insertOne({ _id: 'a', id: 'a', workspaceId, count: 7, _position: encodePosition(9n) });
    await readModel.writeDocuments(pending);
    expect(await readModel.find('counters', workspaceId, 'a')).to.deep.equal({ id: 'a', workspaceId, count: 7 });
  });

  it('runs where selectors on a multi index while a rebuild builds the new collection, as SQLite does', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-mongo-where-'));
    const log = new SqliteStore({ path: path.join(dir, 'log.db') });
    try {
      const tagged: Projection = {
        name: 'tagged',
        collection: 'tagged',
        handles: ['ThingTagged', 'TagRenamed'],
        indexes: [{ name: 'by_tag', fields: ['tagIds'], multi: true }],
        documents: (event) => {
          const data = event.data as { thingId?: string; tagId: string };
          return event.type === 'ThingTagged'
            ? { workspaceId, ids: [data.thingId!] }
            : { workspaceId, where: { field: 'tagIds', equals: data.tagId } };
        },
        evolve: (current, event) => {
          const data = event.data as { thingId?: string; tagId: string; name: string };
          if (event.type === 'ThingTagged') {
            return {
              id: data.thingId!,
              workspaceId,
              tagIds: [...((current?.tagIds as string[] | undefined) ?? []), data.tagId],
              names: [...((current?.names as string[] | undefined) ?? []), data.name],
            };
          }
          const tagIds = current!.tagIds as string[];
          return { ...current!, names: tagIds.map((id, i) => (id === data.tagId ? data.name : (current!.names as string[])[i]!)) };
        },
      };
      const meta = () => ({
        eventId: randomUUID(),
        occurredAt: '2024-01-01T00:00:00.000Z',
        actor: { userId: 'u' },
        workspaceId,
        requestId: 'r',
        correlationId: 'c',
        schemaVersion: 1,
      });
      const things = ['a', 'b', 'c'].map((x) => x.repeat(24));
      await log.append(
        `thing-${things[0]}`,
        [{ type: 'ThingTagged', data: { thingId: things[0], tagId: 't1', name: 'one' }, metadata: meta() }],
        'no_stream',
      );
      await log.append(
        `thing-${things[1]}`,
        [{ type: 'ThingTagged', data: { thingId: things[1], tagId: 't2', name: 'two' }, metadata: meta() }],
        'no_stream',
      );
      await log.append('tag-t1', [{ type: 'TagRenamed', data: { tagId: 't1', name: 'uno' }, metadata: meta() }], 'no_stream');
      await log.append(
        `thing-${things[2]}`,
        [{ type: 'ThingTagged', data: { thingId: things[2], tagId: 't1', name: 'uno' }, metadata: meta() }],
        'no_stream',
      );
      await log.append('tag-t1-again', [{ type: 'TagRenamed', data: { tagId: 't1', name: 'eins' }, metadata: meta() }], 'no_stream');
      const events: StoredEvent[] = [];
      for await (const event of log.readAll()) events.push(event);
      // The reference: SQLite's read model of the same log.
      await log.apply([tagged], events);

      const readModel = new MongoReadModel(db);
      const rebuild = await mongoRebuildable(readModel, log, { takeoverWaitMs: 0 }).beginRebuild([tagged], { prepare: (event) => event });
      await rebuild.applyPage(events.slice(0, 3));
      await rebuild.applyPage(events.slice(3));
      await rebuild.switchOver();
      for (const id of things)
        expect(await readModel.find('tagged', workspaceId, id), id).to.deep.equal(await log.find('tagged', workspaceId, id));
      expect((await readModel.find('tagged', workspaceId, things[0]!))?.names).to.deep.equal(['eins']);
      expect((await db.collection('tagged').listIndexes().toArray()).map((index) => index.name).sort()).to.deep.equal([
        '_id_',
        'ix_by_tag',
      ]);
    } finally {
      await log.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

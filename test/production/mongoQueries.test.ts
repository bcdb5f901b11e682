/**
 * The MongoDB read model's planning and write rules, checked without a server: queries are
 * planned over the declared indexes exactly as the SQLite adapter plans them, a write that lost
 * an insert race is re-applied (not dropped), a write-concern error is never taken for a stale
 * write, and a rebuild keeps every option of the indexes it copies.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import { MongoBulkWriteError, type BulkWriteResult, type IndexDescriptionInfo, type WriteConcernError, type WriteError } from 'mongodb';
import { sessionReadQuery } from '../../src/http/routes/sessionList.js';
import type { Projection, StoredEvent } from '../../src/projections/projection.js';
import { sessionView } from '../../src/projections/sessionView.js';
import { copiedIndexOptions, declaredIndexes, matchesWhere, planQuery, whereFilter } from '../../src/stores/mongodb/mongoIndexes.js';
import { bulkWriteOutcome, reapply, writeOperation, type StoredDocument } from '../../src/stores/mongodb/mongoReadModel.js';
import { encodePosition } from '../../src/stores/mongodb/positions.js';

const workspaceId = 'w'.repeat(24);

interface Item {
  id: string;
  workspaceId: string;
  status?: string;
  start?: string;
  tags?: string[];
  count: number;
}

const items: Projection = {
  name: 'items',
  collection: 'items',
  handles: ['ItemTouched'],
  indexes: [
    { name: 'by_status_start', fields: ['status', 'start'] },
    { name: 'by_tag', fields: ['tags'], multi: true },
  ],
  documents: (event) => ({ workspaceId, ids: [(event.data as { id: string }).id] }),
  evolve: (current, event) => {
    const previous = current as Item | null;
    const data = event.data as { id: string };
    return { id: data.id, workspaceId, count: (previous?.count ?? 0) + 1 };
  },
};

const touched = (position: bigint, id: string): StoredEvent => ({
  streamId: `item-${id}`,
  revision: 0n,
  position,
  type: 'ItemTouched',
  data: { id },
  metadata: {
    eventId: `e${position}`,
    occurredAt: '2024-01-01T00:00:00.000Z',
    actor: { userId: 'u' },
    workspaceId,
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
});

describe('MongoDB declared indexes', () => {
  it('are compound indexes scoped to the workspace and ending with _id, named after the declaration', () => {
    expect(declaredIndexes(items)).to.deep.equal([
      { name: 'ix_by_status_start', key: { workspaceId: 1, status: 1, start: 1, _id: 1 } },
      { name: 'ix_by_tag', key: { workspaceId: 1, tags: 1, _id: 1 } },
    ]);
    expect(Object.keys(declaredIndexes(items)[0]!.key)).to.deep.equal(['workspaceId', 'status', 'start', '_id']);
  });

  // The declarations themselves (names, fields, multi) are checked once for every adapter when a
  // read model registers the projection: test/stores/indexDeclarations.test.ts.
  it('refuse a field name that is not a plain identifier', () => {
    expect(() => declaredIndexes({ indexes: [{ name: 'bad', fields: ['a.b'] }] })).to.throw(/invalid field name/);
  });
});

describe('planning a MongoDB read-model query', () => {
  it('serves equality on the leading field ordered by the next one through that index, with a keyset cursor', () => {
    const plan = planQuery(items, workspaceId, {
      where: { status: 'open' },
      orderBy: 'start',
      after: { value: '2024-01-02', id: 'b' },
      limit: 10,
    });
    expect(plan.hint).to.equal('ix_by_status_start');
    expect(plan.sort).to.deep.equal({ start: 1, _id: 1 });
    expect(plan.filter).to.deep.equal({
      $and: [{ workspaceId }, { status: 'open' }, { $or: [{ start: { $gt: '2024-01-02' } }, { start: '2024-01-02', _id: { $gt: 'b' } }] }],
    });
  });

  it('orders by id only when every field of an index has an equality', () => {
    const plan = planQuery(items, workspaceId, {
      where: { status: 'open', start: '2024-01-01' },
      orderBy: 'id',
      after: { value: 'x', id: 'a' },
      limit: 5,
    });
    expect(plan.hint).to.equal('ix_by_status_start');
    expect(plan.sort).to.deep.equal({ _id: 1 });
    expect(plan.filter).to.deep.equal({ $and: [{ workspaceId }, { status: 'open' }, { start: '2024-01-01' }, { _id: { $gt: 'a' } }] });
    expect(() => planQuery(items, workspaceId, { where: { status: 'open' }, orderBy: 'id', limit: 5 })).to.throw(
      /no index of collection items serves/,
    );
  });

  it('keeps a range and an "in" as filters on what the index yields; a range excludes missing and null fields', () => {
    const plan = planQuery(items, workspaceId, {
      where: { status: { in: ['open', 'held'] }, start: { gte: 'a', lt: 'b' } },
      orderBy: 'start',
      limit: 3,
    });
    expect(plan.hint).to.equal('ix_by_status_start');
    expect(plan.filter).to.deep.equal({
      $and: [{ workspaceId }, { status: { $in: ['open', 'held'] } }, { start: { $gte: 'a', $lt: 'b', $ne: null } }],
    });
  });

  it('treats equality and "in" on a multi field as "contains", never as covering, and refuses a range on it', () => {
    const plan = planQuery(items, workspaceId, { where: { status: 'open', tags: 'red' }, orderBy: 'start', limit: 3 });
    expect(plan.hint).to.equal('ix_by_status_start');
    expect(plan.filter).to.deep.equal({ $and: [{ workspaceId }, { status: 'open' }, { tags: 'red' }] });
    expect(() => planQuery(items, workspaceId, { where: { tags: 'red' }, orderBy: 'id', limit: 3 })).to.throw(/no index/);
    expect(() => planQuery(items, workspaceId, { where: { status: 'open', tags: { gt: 'a' } }, orderBy: 'start', limit: 3 })).to.throw(
      /range on the array field tags/,
    );
  });

  it('throws for a query no index covers and a limit outside 1..1000', () => {
    expect(() => planQuery(items, workspaceId, { orderBy: 'start', limit: 10 })).to.throw(
      /no index of collection items serves a query on \[\] ordered by start/,
    );
    expect(() => planQuery(items, workspaceId, { where: { status: 'open' }, orderBy: 'start', limit: 0 })).to.throw(
      /limit must be 1..1000/,
    );
    expect(() => planQuery(items, workspaceId, { where: { status: 'open' }, orderBy: 'start', limit: 1001 })).to.throw(
      /limit must be 1..1000/,
    );
  });

  it('serves an "in" on a leading field, but orders by a field only when the fields after it have equalities', () => {
    expect(planQuery(items, workspaceId, { where: { status: { in: ['open', 'held'] } }, orderBy: 'start', limit: 3 }).hint).to.equal(
      'ix_by_status_start',
    );
    expect(() => planQuery(items, workspaceId, { orderBy: 'status', limit: 3 })).to.throw(/no index/);
    expect(planQuery(items, workspaceId, { where: { start: 'x' }, orderBy: 'status', limit: 3 }).hint).to.equal('ix_by_status_start');
    expect(() => planQuery(items, workspaceId, { where: { status: { gt: 'a' } }, orderBy: 'start', limit: 3 })).to.throw(/no index/);
  });

  it('goes on after a null sort value with the other nulls, then every value', () => {
    const plan = planQuery(items, workspaceId, { where: { status: 'open' }, orderBy: 'start', after: { value: null, id: 'a' }, limit: 1 });
    expect(plan.filter).to.deep.equal({
      $and: [{ workspaceId }, { status: 'open' }, { $or: [{ start: { $ne: null } }, { start: null, _id: { $gt: 'a' } }] }],
    });
  });

  it('never finds an array by a null, as SQLite keeps no term for it', () => {
    const plan = planQuery(items, workspaceId, { where: { status: 'open', tags: null }, orderBy: 'start', limit: 3 });
    expect(plan.filter).to.deep.equal({ $and: [{ workspaceId }, { status: 'open' }, { _id: { $in: [] } }] });
    const either = planQuery(items, workspaceId, { where: { status: 'open', tags: { in: ['a', null] } }, orderBy: 'start', limit: 3 });
    expect(either.filter).to.deep.equal({ $and: [{ workspaceId }, { status: 'open' }, { tags: { $in: ['a'] } }] });
  });
});

describe('a MongoDB `where` selector', () => {
  it('goes through the index declared on its field, and refuses a field without one', () => {
    expect(whereFilter(items, workspaceId, 'tags', 'red')).to.deep.equal({ filter: { workspaceId, tags: 'red' }, hint: 'ix_by_tag' });
    expect(whereFilter(items, workspaceId, 'status', 'open').hint).to.equal('ix_by_status_start');
    expect(() => whereFilter(items, workspaceId, 'count', 1)).to.throw(/declares no index on count/);
  });

  it('matches an evolved document in memory as the server matches a stored one', () => {
    expect(matchesWhere({ tags: ['red', 'blue'] }, true, 'tags', 'blue')).to.equal(true);
    expect(matchesWhere({ tags: ['red'] }, true, 'tags', 'blue')).to.equal(false);
    expect(matchesWhere({ tags: 'blue' }, true, 'tags', 'blue')).to.equal(false);
    expect(matchesWhere({ status: 'open' }, false, 'status', 'open')).to.equal(true);
    expect(matchesWhere({}, false, 'status', null)).to.equal(false);
    expect(matchesWhere({ tags: [null] }, true, 'tags', null)).to.equal(false);
    expect(whereFilter(items, workspaceId, 'tags', null).filter).to.deep.equal({ workspaceId, _id: { $in: [] } });
    expect(matchesWhere({ status: 'held' }, false, 'status', 'open')).to.equal(false);
  });
});

describe('MongoDB document writes', () => {
  const stored = (id: string, position: bigint, count: number): StoredDocument => ({
    _id: id,
    workspaceId,
    _position: encodePosition(position),
    id,
    count,
  });

  it('replace only the stored version they were evolved from (or insert when there was none); a deletion removes any older one', () => {
    const document = { id: 'a', workspaceId, count: 1 };
    expect(writeOperation({ id: 'a', workspaceId, state: { document, position: 7n }, base: 5n })).to.deep.equal({
      replaceOne: {
        filter: { _id: 'a', _position: encodePosition(5n) },
        replacement: { id: 'a', workspaceId, count: 1, _position: encodePosition(7n) },
        upsert: true,
      },
    });
    expect(writeOperation({ id: 'a', workspaceId, state: { document, position: 7n }, base: null })).to.deep.include({
      replaceOne: {
        filter: { _id: 'a', _position: { $exists: false } },
        replacement: { id: 'a', workspaceId, count: 1, _position: encodePosition(7n) },
        upsert: true,
      },
    });
    expect(writeOperation({ id: 'a', workspaceId, state: { document: null, position: 8n }, base: 5n })).to.deep.equal({
      deleteOne: { filter: { _id: 'a', _position: { $lt: encodePosition(8n) } } },
    });
  });

  it('after another writer changed or inserted the document, re-apply their events to what it stored', () => {
    // We evolved event 9 from "no document"; meanwhile another writer inserted the state after event 5.
    const state = reapply(items, 'a', stored('a', 5n, 1), [touched(9n, 'a')]);
    expect(state).to.deep.equal({ document: { id: 'a', workspaceId, count: 2 }, position: 9n });
  });

  it('after losing to a writer that has seen the events, write nothing', () => {
    expect(reapply(items, 'a', stored('a', 9n, 3), [touched(8n, 'a'), touched(9n, 'a')])).to.equal(null);
    expect(reapply(items, 'a', stored('a', 8n, 3), [touched(8n, 'a'), touched(9n, 'a')])).to.deep.equal({
      document: { id: 'a', workspaceId, count: 4 },
      position: 9n,
    });
  });
});

// The driver's own classes (not exported at run time by the package's entry point).
const driverBulk = createRequire(import.meta.url)('mongodb/lib/bulk/common.js') as {
  WriteError: new (error: { index: number; code: number; errmsg: string; errInfo: object; op: object }) => WriteError;
  WriteConcernError: new (error: { code: number; errmsg: string }) => WriteConcernError;
};

describe('reading a failed MongoDB bulk write', () => {
  const result = (writeConcernError?: WriteConcernError): BulkWriteResult =>
    ({ getWriteConcernError: () => writeConcernError }) as unknown as BulkWriteResult;
  const writeError = (index: number, code: number) => new driverBulk.WriteError({ index, code, errmsg: `E${code}`, errInfo: {}, op: {} });
  const bulkError = (writeErrors: WriteError[], writeConcernError?: WriteConcernError) =>
    new MongoBulkWriteError({ message: 'bulk', code: writeErrors[0]?.code ?? 64, writeErrors }, result(writeConcernError));

  it('retries the upserts that hit a duplicate key', () => {
    expect(bulkWriteOutcome(bulkError([writeError(0, 11000), writeError(3, 11000)]))).to.deep.equal({ retry: [0, 3] });
  });

  it('fails on a write-concern error that comes with duplicate keys (reported on the result only)', () => {
    const error = bulkError(
      [writeError(0, 11000)],
      new driverBulk.WriteConcernError({ code: 64, errmsg: 'waiting for replication timed out' }),
    );
    expect(bulkWriteOutcome(error)).to.deep.equal({ fail: error });
  });

  it('fails on any other write error, and on errors that are not bulk write errors', () => {
    const error = bulkError([writeError(0, 11000), writeError(1, 121)]);
    expect(bulkWriteOutcome(error)).to.deep.equal({ fail: error });
    const other = new Error('network');
    expect(bulkWriteOutcome(other)).to.deep.equal({ fail: other });
  });
});

describe('an index copied by a MongoDB rebuild', () => {
  it('keeps collation, TTL, partial filter, sparse, unique, hidden and text options', () => {
    const ttl = { v: 2, key: { expiresAt: 1 }, name: 'ttl', expireAfterSeconds: 3600 } as IndexDescriptionInfo;
    expect(copiedIndexOptions(ttl)).to.deep.equal({ name: 'ttl', expireAfterSeconds: 3600 });
    const collated = {
      v: 2,
      key: { workspaceId: 1, name: 1 },
      name: 'by_name',
      collation: { locale: 'fr', strength: 2 },
      partialFilterExpression: { name: { $exists: true } },
      unique: true,
      sparse: true,
      hidden: true,
    } as unknown as IndexDescriptionInfo;
    expect(copiedIndexOptions(collated)).to.deep.equal({
      name: 'by_name',
      collation: { locale: 'fr', strength: 2 },
      partialFilterExpression: { name: { $exists: true } },
      unique: true,
      sparse: true,
      hidden: true,
    });
    const text = {
      v: 2,
      key: { _fts: 'text', _ftsx: 1 },
      name: 'notes_text',
      weights: { notes: 5, title: 1 },
      default_language: 'french',
      language_override: 'lang',
      textIndexVersion: 3,
    } as unknown as IndexDescriptionInfo;
    expect(copiedIndexOptions(text)).to.deep.equal({
      name: 'notes_text',
      weights: { notes: 5, title: 1 },
      default_language: 'french',
      language_override: 'lang',
      textIndexVersion: 3,
    });
  });
});

describe('the session list queries on MongoDB', () => {
  it("are all served by the session view's declared indexes, each through the one that narrows by the most conditions", () => {
    const cases: [Parameters<typeof sessionReadQuery>[0], string][] = [
      [{ limit: 50 }, 'ix_by_start'],
      [{ from: '2024-01-01T00:00:00.000Z', to: '2024-02-01T00:00:00.000Z', limit: 50 }, 'ix_by_start'],
      [{ staffId: 's'.repeat(24), limit: 10 }, 'ix_by_staff'],
      [{ clientId: 'c'.repeat(24), from: '2024-01-01T00:00:00.000Z', limit: 10 }, 'ix_by_client'],
      [
        { serviceId: 'v'.repeat(24), status: ['scheduled'], limit: 10, after: { value: '2024-01-01T10:00:00.000Z', id: 'a'.repeat(24) } },
        'ix_by_start',
      ],
    ];
    for (const [list, index] of cases) {
      expect(planQuery(sessionView, workspaceId, sessionReadQuery(list, 1440)).hint, JSON.stringify(list)).to.equal(index);
    }
  });
});

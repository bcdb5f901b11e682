/**
 * SQLite's appendMany joins group commit: the callers of one event-loop turn share a transaction,
 * each caller's streams in one savepoint, so one caller's failure (a stale revision, a projection
 * that throws) takes back only that caller's events and documents.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Projection } from '../../src/projections/projection.js';
import { ConcurrencyError, type AppendResult, type EventToAppend } from '../../src/stores/eventStore.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { itemEventTypes, itemsProjection } from '../contracts/itemsProjection.js';

const workspaceId = 'ws1';
const metadata = () => ({
  eventId: randomUUID(),
  occurredAt: '2024-01-01T00:00:00.000Z',
  actor: { userId: 'u' },
  workspaceId,
  requestId: 'r',
  correlationId: 'c',
  schemaVersion: 1,
});
const put = (itemId: string, overrides: Record<string, unknown> = {}): EventToAppend => ({
  type: itemEventTypes.put,
  data: {
    itemId,
    workspaceId,
    groupId: 'g1',
    groupName: 'G',
    rank: 1,
    status: 'open',
    label: 'l',
    tags: [{ id: 't1', name: 'one' }],
    ...overrides,
  },
  metadata: metadata(),
});
const rename = (name: string): EventToAppend => ({
  type: itemEventTypes.tagRenamed,
  data: { tagId: 't1', workspaceId, name },
  metadata: metadata(),
});

describe('SQLite appendMany in group commit', () => {
  let dir: string;
  let store: SqliteStore;
  const projection = itemsProjection('items') as Projection;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-append-many-'));
    store = new SqliteStore({ path: path.join(dir, 'store.db'), inlineProjections: [projection] });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const eventsOf = () =>
    store.db.prepare('SELECT stream_id, revision, position FROM events ORDER BY position').all() as {
      stream_id: string;
      revision: number;
      position: number;
    }[];
  const find = (id: string) => store.find('contract_items', workspaceId, id);

  it('commits the callers of one turn together; the failing one writes nothing, events or documents', async () => {
    await store.append('shared', [put('shared-item')], 'no_stream');
    // Issued in one turn: one transaction, one savepoint per caller.
    const attempts = await Promise.allSettled([
      store.appendMany([
        { streamId: 'a1', events: [put('a1')], expected: 'no_stream' },
        { streamId: 'a2', events: [put('a2'), put('a2', { rank: 2 })], expected: 'no_stream' },
      ]),
      store.appendMany([
        { streamId: 'b1', events: [put('b1')], expected: 'no_stream' },
        { streamId: 'shared', events: [put('shared-item', { rank: 9 })], expected: 5n },
      ]),
      store.append('c1', [put('c1')], 'no_stream'),
      store.appendMany([
        { streamId: 'd1', events: [put('d1')], expected: 'no_stream' },
        { streamId: 'shared', events: [rename('renamed by d')], expected: 0n },
      ]),
    ]);
    expect(attempts.map((a) => a.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const error = (attempts[1] as PromiseRejectedResult).reason as ConcurrencyError;
    expect(error).to.be.instanceOf(ConcurrencyError);
    expect(error.streamId).to.equal('shared');
    expect(error.actual).to.equal(0n);

    // The rejected caller's savepoint is gone: positions stay gapless, in the order of the calls.
    expect(eventsOf().map((e) => [e.stream_id, e.revision, e.position])).to.deep.equal([
      ['shared', 0, 1],
      ['a1', 0, 2],
      ['a2', 0, 3],
      ['a2', 1, 4],
      ['c1', 0, 5],
      ['d1', 0, 6],
      ['shared', 1, 7],
    ]);
    const [a, , c, d] = attempts as PromiseFulfilledResult<AppendResult[] | AppendResult>[];
    expect(a!.value).to.deep.equal([
      { nextRevision: 0n, position: 2n },
      { nextRevision: 1n, position: 4n },
    ]);
    expect(c!.value).to.deep.equal({ nextRevision: 0n, position: 5n });
    expect(d!.value).to.deep.equal([
      { nextRevision: 0n, position: 6n },
      { nextRevision: 1n, position: 7n },
    ]);

    // Inline documents: the winners' (the rename touched every item with t1 committed before it), none of the loser's.
    expect(await find('b1')).to.equal(null);
    expect(await find('shared-item')).to.deep.include({ rank: 1, tagNames: ['renamed by d'] });
    for (const id of ['a1', 'a2', 'c1', 'd1']) expect(await find(id), id).to.deep.include({ tagNames: ['renamed by d'] });
    expect(await find('a2')).to.deep.include({ rank: 2 });
    expect(await store.checkpoint('items')).to.equal(7n);
  });

  it('takes back the caller whose inline projection throws, and commits the others of its turn', async () => {
    const failing = new SqliteStore({
      path: path.join(dir, 'failing.db'),
      inlineProjections: [
        {
          ...projection,
          evolve: (current, event, id) => {
            if ((event.data as { rank?: number }).rank === -1) throw new Error('cannot project this');
            return projection.evolve(current, event, id);
          },
        },
      ],
    });
    try {
      const attempts = await Promise.allSettled([
        failing.append('x1', [put('x1')], 'no_stream'),
        failing.appendMany([
          { streamId: 'y1', events: [put('y1')], expected: 'no_stream' },
          { streamId: 'y2', events: [put('y2', { rank: -1 })], expected: 'no_stream' },
        ]),
        failing.appendMany([{ streamId: 'z1', events: [put('z1')], expected: 'no_stream' }]),
      ]);
      expect(attempts.map((a) => a.status)).to.deep.equal(['fulfilled', 'rejected', 'fulfilled']);
      expect(((attempts[1] as PromiseRejectedResult).reason as Error).message).to.equal('cannot project this');
      expect(failing.db.prepare('SELECT stream_id FROM events ORDER BY position').pluck().all()).to.deep.equal(['x1', 'z1']);
      expect(await failing.find('contract_items', workspaceId, 'y1')).to.equal(null);
      expect(await failing.find('contract_items', workspaceId, 'x1')).to.not.equal(null);
      expect(await failing.find('contract_items', workspaceId, 'z1')).to.not.equal(null);
      expect(failing.db.prepare("SELECT COUNT(*) FROM terms_rm_contract_items WHERE id LIKE 'y%'").pluck().get()).to.equal(0);
    } finally {
      await failing.close();
    }
  });

  it('answers a retried appendMany from the log, in a turn with other callers', async () => {
    const writes = [
      { streamId: 'r1', events: [put('r1')], expected: 'no_stream' as const },
      { streamId: 'r2', events: [put('r2')], expected: 'no_stream' as const },
    ];
    const [first, retry, other] = await Promise.all([
      store.appendMany(writes),
      store.appendMany(writes),
      store.append('o1', [put('o1')], 'no_stream'),
    ]);
    expect(retry).to.deep.equal(first);
    expect(other.position).to.equal(3n);
    expect(eventsOf().map((e) => e.stream_id)).to.deep.equal(['r1', 'r2', 'o1']);
  });

  it("records the projection's checkpoint once, at the last append of the turn that was kept, not at a failing one after it", async () => {
    await store.append('k0', [put('k0')], 'no_stream');
    const attempts = await Promise.allSettled([
      store.append('k1', [put('k1')], 'no_stream'),
      store.append('k2', [put('k2')], 'no_stream'),
      store.append('k0', [put('k0', { rank: 3 })], 5n),
    ]);
    expect(attempts.map((a) => a.status)).to.deep.equal(['fulfilled', 'fulfilled', 'rejected']);
    expect(await store.checkpoint('items')).to.equal(3n);
    expect(await find('k0')).to.deep.include({ rank: 1 });
  });

  it('keeps the terms of a document whose array stays the same, and replaces them when it changes', async () => {
    const terms = () =>
      store.db.prepare("SELECT value FROM terms_rm_contract_items WHERE id = 'i1' AND field = 'tagIds' ORDER BY value").pluck().all();
    await store.append('i1', [put('i1')], 'no_stream');
    expect(terms()).to.deep.equal(['t1']);
    await store.append('i1', [put('i1', { rank: 2 })], 0n);
    expect(terms()).to.deep.equal(['t1']);
    await store.append(
      'i1',
      [
        put('i1', {
          tags: [
            { id: 't2', name: 'two' },
            { id: 't3', name: 'three' },
          ],
        }),
      ],
      1n,
    );
    expect(terms()).to.deep.equal(['t2', 't3']);
    const tagged = async (tag: string) =>
      (await store.query('contract_items', workspaceId, { where: { tagIds: tag }, orderBy: 'rank', limit: 10 })).documents.map((d) => d.id);
    expect(await tagged('t1')).to.deep.equal([]);
    expect(await tagged('t3')).to.deep.equal(['i1']);
  });

  it('takes back only the failing caller of a large turn (a savepoint journal far past 64 KiB), and leaves temp_store as it was', async () => {
    const tempStore = store.db.pragma('temp_store', { simple: true });
    await store.append('big-shared', [put('big-shared')], 'no_stream');
    const attempts = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        i === 30
          ? store.appendMany([
              { streamId: 'big-30', events: [put('big-30')], expected: 'no_stream' },
              { streamId: 'big-shared', events: [put('big-shared', { rank: 9 })], expected: 7n },
            ])
          : store.append(`big-${i}`, [put(`big-${i}`, { label: 'x'.repeat(2000), tags: [{ id: `t${i}`, name: 'n' }] })], 'no_stream'),
      ),
    );
    expect(attempts.filter((a) => a.status === 'rejected')).to.have.length(1);
    expect(attempts[30]?.status).to.equal('rejected');
    expect(await find('big-30')).to.equal(null);
    expect(await find('big-29')).to.not.equal(null);
    expect(await find('big-31')).to.not.equal(null);
    expect(eventsOf()).to.have.length(60);
    expect(await find('big-shared')).to.deep.include({ rank: 1 });
    expect(store.db.pragma('temp_store', { simple: true })).to.equal(tempStore);
  });
});

/**
 * The query part of the ReadModelStore contract (run from ./readModelContract.ts against every
 * adapter): filters, (sortKey, id) keyset pages, limits, index coverage, workspaces, and paging
 * while documents are written. Documents are written through `apply` with the items projection,
 * each test in a fresh workspace with its own projection name (its own checkpoint).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Projection, StoredEvent } from '../../src/projections/projection.js';
import type { Document, Query, QueryCursor, ReadModelStore } from '../../src/stores/readModel.js';
import { itemEvent, itemEventTypes, itemsCollection, itemsProjection, type Item, type ItemPut } from './itemsProjection.js';

const objectId = (): string => randomUUID().replace(/-/g, '').slice(0, 24);

/** The (sortKey, id) order of the port: nulls first, then ascending; ties by id. */
const compareBy =
  (field: keyof Item) =>
  (a: Item, b: Item): number => {
    const x = a[field] as string | number | null;
    const y = b[field] as string | number | null;
    if (x !== y) {
      if (x === null) return -1;
      if (y === null) return 1;
      return x < y ? -1 : 1;
    }
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };

export const readModelQueryContract = (getReadModel: () => ReadModelStore): void => {
  describe('query', () => {
    let readModel: ReadModelStore;
    let projection: Projection;
    let workspaceId: string;
    let position: bigint;
    /** The items as the test wrote them, by id (what a query must find). */
    let items: Map<string, Item>;

    beforeEach(() => {
      readModel = getReadModel();
      projection = itemsProjection(`contract_items_${objectId()}`);
      workspaceId = objectId();
      position = 0n;
      items = new Map();
    });

    const put = (overrides: Partial<ItemPut> = {}, ws = workspaceId): StoredEvent => {
      const data: ItemPut = {
        itemId: objectId(),
        workspaceId: ws,
        groupId: 'g1',
        groupName: 'Group one',
        rank: 1,
        status: 'open',
        label: 'a',
        tags: [],
        ...overrides,
      };
      position += 1n;
      return itemEvent(position, itemEventTypes.put, { ...data });
    };

    /** Applies the events and remembers the items of this workspace as the projection makes them. */
    const write = async (events: StoredEvent[]): Promise<void> => {
      await readModel.apply([projection], events);
      for (const event of events) {
        const data = event.data as { itemId?: string; workspaceId: string };
        if (data.workspaceId !== workspaceId || data.itemId === undefined) continue;
        const next = projection.evolve(items.get(data.itemId) ?? null, event, data.itemId) as Item | null;
        if (next) items.set(next.id, next);
        else items.delete(data.itemId);
      }
    };

    const putMany = async (list: Partial<ItemPut>[]): Promise<Item[]> => {
      const events = list.map((overrides) => put(overrides));
      await write(events);
      return events.map((e) => items.get((e.data as ItemPut).itemId)!);
    };

    const ids = (documents: readonly Document[]): string[] => documents.map((d) => d.id);
    const expected = (filter: (item: Item) => boolean, field: keyof Item): string[] =>
      [...items.values()]
        .filter(filter)
        .sort(compareBy(field))
        .map((i) => i.id);

    const rejects = async (query: Query): Promise<unknown> => {
      try {
        await readModel.query(itemsCollection, workspaceId, query);
      } catch (error) {
        return error;
      }
      return expect.fail(`the query ${JSON.stringify(query)} should have been rejected`);
    };

    /** Every page of a query, following `next` until it is null. */
    const allPages = async (query: Omit<Query, 'after'>): Promise<{ pages: Document[][]; cursors: (QueryCursor | null)[] }> => {
      const pages: Document[][] = [];
      const cursors: (QueryCursor | null)[] = [];
      let after: QueryCursor | undefined;
      for (let guard = 0; guard < 1000; guard += 1) {
        const page = await readModel.query(itemsCollection, workspaceId, { ...query, ...(after ? { after } : {}) });
        pages.push(page.documents);
        cursors.push(page.next);
        if (page.next === null) return { pages, cursors };
        after = page.next;
      }
      throw new Error('paging did not end');
    };

    describe('filters', () => {
      it('returns the documents whose field equals the value, in (sortKey, id) order, as stored', async () => {
        await putMany([{ rank: 3 }, { rank: 1 }, { groupId: 'g2', rank: 2 }, { rank: 2 }, { rank: 1 }]);
        const page = await readModel.query(itemsCollection, workspaceId, { where: { groupId: 'g1' }, orderBy: 'rank', limit: 10 });
        expect(ids(page.documents)).to.deep.equal(expected((i) => i.groupId === 'g1', 'rank'));
        expect(page.documents).to.have.length(4);
        for (const doc of page.documents) expect(doc).to.deep.equal(items.get(doc.id));
        expect(page.next).to.equal(null);
      });

      it('returns the documents whose field is one of a list ("in"), on an index field and as a filter', async () => {
        await putMany([
          { status: 'open', label: 'd' },
          { status: 'closed', label: 'b' },
          { status: 'void', label: 'a' },
          { status: 'open', label: 'a', groupId: 'g2' },
          { status: 'closed', label: 'c', groupId: 'g3' },
        ]);
        const onIndex = await readModel.query(itemsCollection, workspaceId, {
          where: { status: { in: ['open', 'closed'] } },
          orderBy: 'label',
          limit: 10,
        });
        expect(ids(onIndex.documents)).to.deep.equal(expected((i) => i.status === 'open' || i.status === 'closed', 'label'));
        expect(onIndex.documents).to.have.length(4);
        const asFilter = await readModel.query(itemsCollection, workspaceId, {
          where: { groupId: { in: ['g2', 'g3'] } },
          orderBy: 'rank',
          limit: 10,
        });
        expect(ids(asFilter.documents)).to.deep.equal(expected((i) => i.groupId === 'g2' || i.groupId === 'g3', 'rank'));
        expect(asFilter.documents).to.have.length(2);
        const none = await readModel.query(itemsCollection, workspaceId, { where: { groupId: { in: [] } }, orderBy: 'rank', limit: 10 });
        expect(none).to.deep.equal({ documents: [], next: null });
      });

      it('returns the documents in a range of the sort key (bounds inclusive or not), never one without the field', async () => {
        await putMany([{ rank: 1 }, { rank: 2 }, { rank: 2 }, { rank: 3 }, { rank: 4 }, { rank: 5.5 }, { rank: null }, { rank: -1 }]);
        const range = async (condition: Record<string, number>) =>
          ids((await readModel.query(itemsCollection, workspaceId, { where: { rank: condition }, orderBy: 'rank', limit: 100 })).documents);
        const within = (lo: number, hi: number, loIn: boolean, hiIn: boolean) =>
          expected((i) => i.rank !== null && (loIn ? i.rank >= lo : i.rank > lo) && (hiIn ? i.rank <= hi : i.rank < hi), 'rank');
        expect(await range({ gte: 2, lte: 4 }))
          .to.deep.equal(within(2, 4, true, true))
          .and.to.have.length(4);
        expect(await range({ gt: 2, lt: 5.5 }))
          .to.deep.equal(within(2, 5.5, false, false))
          .and.to.have.length(2);
        expect(await range({ gt: 3 }))
          .to.deep.equal(within(3, Infinity, false, false))
          .and.to.have.length(2);
        expect(await range({ lte: 1 }))
          .to.deep.equal(within(-Infinity, 1, false, true))
          .and.to.have.length(2);
        expect(await range({ gt: 6 })).to.deep.equal([]);
      });

      it('compares strings in a range by their characters, across the whole sort key', async () => {
        await putMany([
          { label: 'apple' },
          { label: 'apricot' },
          { label: 'banana' },
          { label: 'b' },
          { label: 'Zebra' },
          { label: 'cherry' },
        ]);
        const page = await readModel.query(itemsCollection, workspaceId, {
          where: { status: 'open', label: { gte: 'ap', lt: 'c' } },
          orderBy: 'label',
          limit: 10,
        });
        expect(page.documents.map((d) => d.label)).to.deep.equal(['apple', 'apricot', 'b', 'banana']);
      });

      it('finds the documents whose array field contains a value, or one of several, each document once', async () => {
        await putMany([
          {
            rank: 1,
            tags: [
              { id: 't1', name: 'one' },
              { id: 't2', name: 'two' },
            ],
          },
          { rank: 2, tags: [{ id: 't2', name: 'two' }] },
          { rank: 3, tags: [] },
          {
            rank: 4,
            tags: [
              { id: 't3', name: 'three' },
              { id: 't1', name: 'one' },
            ],
          },
        ]);
        const contains = await readModel.query(itemsCollection, workspaceId, { where: { tagIds: 't1' }, orderBy: 'rank', limit: 10 });
        expect(ids(contains.documents))
          .to.deep.equal(expected((i) => i.tagIds.includes('t1'), 'rank'))
          .and.to.have.length(2);
        const either = await readModel.query(itemsCollection, workspaceId, {
          where: { tagIds: { in: ['t1', 't2'] } },
          orderBy: 'rank',
          limit: 10,
        });
        expect(ids(either.documents))
          .to.deep.equal(expected((i) => i.tagIds.includes('t1') || i.tagIds.includes('t2'), 'rank'))
          .and.to.have.length(3);
        const combined = await readModel.query(itemsCollection, workspaceId, {
          where: { tagIds: 't2', rank: { gt: 1 } },
          orderBy: 'rank',
          limit: 10,
        });
        expect(ids(combined.documents))
          .to.deep.equal(expected((i) => i.tagIds.includes('t2') && i.rank! > 1, 'rank'))
          .and.to.have.length(1);
        expect(
          (await readModel.query(itemsCollection, workspaceId, { where: { tagIds: 'nope' }, orderBy: 'rank', limit: 10 })).documents,
        ).to.deep.equal([]);
      });

      it('combines an index equality with filters on other fields', async () => {
        await putMany([
          { groupId: 'g1', rank: 1, status: 'open' },
          { groupId: 'g1', rank: 2, status: 'closed' },
          { groupId: 'g1', rank: 3, status: 'open' },
          { groupId: 'g2', rank: 4, status: 'open' },
        ]);
        const page = await readModel.query(itemsCollection, workspaceId, {
          where: { groupId: 'g1', status: 'open', rank: { gte: 1 } },
          orderBy: 'rank',
          limit: 10,
        });
        expect(ids(page.documents))
          .to.deep.equal(expected((i) => i.groupId === 'g1' && i.status === 'open', 'rank'))
          .and.to.have.length(2);
      });

      it('follows changes: an updated document moves to the filter it now matches, a deleted one is gone', async () => {
        const [a, b] = await putMany([
          { groupId: 'g1', tags: [{ id: 't1', name: 'one' }] },
          { groupId: 'g1', tags: [{ id: 't1', name: 'one' }] },
        ]);
        await write([
          put({ itemId: a!.id, groupId: 'g2', tags: [{ id: 't2', name: 'two' }] }),
          ((position += 1n), itemEvent(position, itemEventTypes.removed, { itemId: b!.id, workspaceId })),
        ]);
        const query = (where: Query['where']) =>
          readModel.query(itemsCollection, workspaceId, { where, orderBy: 'rank', limit: 10 }).then((p) => ids(p.documents));
        expect(await query({ groupId: 'g1' })).to.deep.equal([]);
        expect(await query({ groupId: 'g2' })).to.deep.equal([a!.id]);
        expect(await query({ tagIds: 't1' })).to.deep.equal([]);
        expect(await query({ tagIds: 't2' })).to.deep.equal([a!.id]);
      });

      it('never returns documents of another workspace, whatever they hold', async () => {
        const other = objectId();
        await write([
          put({ groupId: 'g1', rank: 1, tags: [{ id: 't1', name: 'one' }] }, other),
          put({ groupId: 'g1', rank: 2, tags: [{ id: 't1', name: 'one' }] }, other),
        ]);
        const [mine] = await putMany([{ groupId: 'g1', rank: 3, tags: [{ id: 't1', name: 'one' }] }]);
        const queries: Query[] = [
          { where: { groupId: 'g1' }, orderBy: 'rank', limit: 10 },
          { where: { tagIds: 't1' }, orderBy: 'rank', limit: 10 },
          { where: { rank: { gte: 0 } }, orderBy: 'rank', limit: 10 },
          { where: { status: { in: ['open'] } }, orderBy: 'label', limit: 10 },
          { orderBy: 'rank', limit: 1, after: { value: 0, id: '' } },
        ];
        for (const query of queries) {
          const page = await readModel.query(itemsCollection, workspaceId, query);
          expect(ids(page.documents), JSON.stringify(query)).to.deep.equal([mine!.id]);
          expect(page.next).to.equal(null);
        }
        expect((await readModel.query(itemsCollection, objectId(), { orderBy: 'rank', limit: 10 })).documents).to.deep.equal([]);
      });
    });

    describe('keyset pages', () => {
      it('pages through ties of the sort key by id, each document once, and next is null exactly on the last page', async () => {
        await putMany(Array.from({ length: 11 }, (_, n) => ({ rank: n % 3 === 0 ? 1 : n % 3 === 1 ? 2 : 2 })));
        const order = expected(() => true, 'rank');
        for (const limit of [1, 2, 3, 4, 10, 11, 12]) {
          const { pages, cursors } = await allPages({ orderBy: 'rank', limit });
          expect(
            pages.flat().map((d) => d.id),
            `limit ${limit}`,
          ).to.deep.equal(order);
          expect(pages.length, `limit ${limit}`).to.equal(Math.max(1, Math.ceil(11 / limit)));
          for (const page of pages.slice(0, -1)) expect(page).to.have.length(limit);
          cursors.slice(0, -1).forEach((cursor, i) => {
            const last = pages[i]![pages[i]!.length - 1]!;
            expect(cursor).to.deep.equal({ value: last.rank, id: last.id });
          });
          expect(cursors[cursors.length - 1]).to.equal(null);
        }
      });

      it('starts strictly after the cursor, also when the cursor names no stored document', async () => {
        const list = await putMany([{ rank: 1 }, { rank: 2 }, { rank: 2 }, { rank: 3 }]);
        const order = expected(() => true, 'rank');
        const second = items.get(order[1]!)!;
        const after = await readModel.query(itemsCollection, workspaceId, {
          orderBy: 'rank',
          limit: 10,
          after: { value: second.rank, id: second.id },
        });
        expect(ids(after.documents)).to.deep.equal(order.slice(2));
        const between = await readModel.query(itemsCollection, workspaceId, { orderBy: 'rank', limit: 10, after: { value: 2, id: '' } });
        expect(ids(between.documents)).to.deep.equal(order.filter((id) => items.get(id)!.rank! >= 2));
        const beyond = await readModel.query(itemsCollection, workspaceId, {
          orderBy: 'rank',
          limit: 10,
          after: { value: 3, id: list[3]!.id },
        });
        expect(beyond).to.deep.equal({ documents: [], next: null });
      });

      it('pages through documents whose sort key is missing (null first), then the others', async () => {
        await putMany([{ rank: null }, { rank: 2 }, { rank: null }, { rank: 1 }, { rank: null }]);
        const order = expected(() => true, 'rank');
        const { pages } = await allPages({ orderBy: 'rank', limit: 2 });
        expect(pages.flat().map((d) => d.id)).to.deep.equal(order);
      });

      it('pages by id alone within an index equality', async () => {
        await putMany(Array.from({ length: 7 }, (_, n) => ({ groupId: n < 5 ? 'g1' : 'g2', rank: 7 - n })));
        const { pages } = await allPages({ where: { groupId: 'g1', rank: { gte: 0 } }, orderBy: 'rank', limit: 2 });
        expect(pages.flat().map((d) => d.id)).to.deep.equal(expected((i) => i.groupId === 'g1', 'rank'));
        const byId = await allPages({ where: { status: 'open', label: 'a' }, orderBy: 'id', limit: 3 });
        expect(byId.pages.flat().map((d) => d.id)).to.deep.equal([...items.keys()].sort());
      });

      it('pages through a filtered query without losing the documents the filter leaves out between pages', async () => {
        await putMany(Array.from({ length: 12 }, (_, n) => ({ rank: n, tags: n % 2 === 0 ? [{ id: 't1', name: 'x' }] : [] })));
        const { pages } = await allPages({ where: { tagIds: 't1' }, orderBy: 'rank', limit: 2 });
        expect(pages.flat().map((d) => d.id)).to.deep.equal(expected((i) => i.tagIds.includes('t1'), 'rank'));
        expect(pages).to.have.length(3);
      });
    });

    describe('limits and coverage', () => {
      it('accepts limits from 1 to 1000 and rejects others', async () => {
        await putMany([{ rank: 1 }, { rank: 2 }]);
        expect((await readModel.query(itemsCollection, workspaceId, { orderBy: 'rank', limit: 1 })).documents).to.have.length(1);
        expect((await readModel.query(itemsCollection, workspaceId, { orderBy: 'rank', limit: 1000 })).documents).to.have.length(2);
        for (const limit of [0, -1, 1001, 1.5, Number.NaN]) expect(await rejects({ orderBy: 'rank', limit })).to.be.instanceOf(Error);
      });

      it('rejects a query no declared index serves', async () => {
        await putMany([{ rank: 1 }]);
        // by_status_label needs its status equality before label; nothing indexes touches; a multi field cannot order.
        expect(await rejects({ orderBy: 'label', limit: 10 })).to.be.instanceOf(Error);
        expect(await rejects({ where: { status: { gt: 'a' } }, orderBy: 'label', limit: 10 })).to.be.instanceOf(Error);
        expect(await rejects({ orderBy: 'touches', limit: 10 })).to.be.instanceOf(Error);
        expect(await rejects({ where: { touches: 0 }, orderBy: 'touches', limit: 10 })).to.be.instanceOf(Error);
        expect(await rejects({ where: { tagIds: 't1' }, orderBy: 'tagIds', limit: 10 })).to.be.instanceOf(Error);
        expect(await rejects({ orderBy: 'id', limit: 10 })).to.be.instanceOf(Error);
      });
    });

    describe('paging while documents are written', () => {
      it('returns every document that matched before and still matches exactly once, in order, whatever is written between pages', async () => {
        const ranks = [1, 1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 5, 6, 7, 7, 7, 8, 9, 9, 10];
        await putMany(ranks.map((rank, n) => ({ rank, groupId: 'g1', tags: n % 2 ? [{ id: 't1', name: 'one' }] : [] })));
        const before = new Set(items.keys());
        const seen: Document[] = [];
        let after: QueryCursor | undefined;
        let round = 0;
        for (;;) {
          const page = await readModel.query(itemsCollection, workspaceId, {
            where: { groupId: 'g1' },
            orderBy: 'rank',
            limit: 3,
            ...(after ? { after } : {}),
          });
          seen.push(...page.documents);
          if (page.next === null) break;
          after = page.next;
          round += 1;
          // Writes between pages, and one racing the next page: inserts before, at and after the
          // cursor (same sort key, ids on both sides), updates that keep the sort key, documents
          // leaving and entering the filter, deletions.
          const existing = [...items.values()].filter((i) => i.groupId === 'g1');
          const victim = existing[(round * 7) % existing.length]!;
          const updated = existing[(round * 5 + 1) % existing.length]!;
          const leaving = existing[(round * 3 + 2) % existing.length]!;
          const writes: StoredEvent[] = [
            put({ rank: after.value as number }),
            put({ itemId: `${'0'.repeat(20)}${round.toString(16).padStart(4, '0')}`, rank: after.value as number }),
            put({ itemId: `${'f'.repeat(20)}${round.toString(16).padStart(4, '0')}`, rank: after.value as number }),
            put({ rank: 0 }),
            put({ rank: 11 + round }),
            put({ itemId: updated.id, rank: updated.rank, label: `updated ${round}`, tags: [{ id: 't2', name: 'two' }] }),
          ];
          if (leaving.id !== updated.id) writes.push(put({ itemId: leaving.id, rank: leaving.rank, groupId: 'g2' }));
          if (victim.id !== updated.id && victim.id !== leaving.id) {
            position += 1n;
            writes.push(itemEvent(position, itemEventTypes.removed, { itemId: victim.id, workspaceId }));
          }
          const [first, ...rest] = writes;
          await write([first!]);
          await Promise.all([
            write(rest),
            readModel.query(itemsCollection, workspaceId, { where: { groupId: 'g1' }, orderBy: 'rank', limit: 3, after }),
          ]);
        }
        const seenIds = seen.map((d) => d.id);
        expect(new Set(seenIds).size, 'no document twice').to.equal(seenIds.length);
        const stillMatching = [...before].filter((id) => items.get(id)?.groupId === 'g1');
        for (const id of stillMatching) expect(seenIds, `document ${id} matched throughout`).to.include(id);
        // Every page starts strictly after the last one: the whole sequence is in (rank, id) order.
        const ordered = [...seen].sort((a, b) => compareBy('rank')(a as Item, b as Item));
        expect(seenIds).to.deep.equal(ordered.map((d) => d.id));
        for (const doc of seen) expect(doc.workspaceId).to.equal(workspaceId);
        expect(round).to.be.greaterThan(3);
      });
    });
  });
};

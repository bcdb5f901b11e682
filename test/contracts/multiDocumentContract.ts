/**
 * The multi-document part of the ReadModelStore contract (run from ./readModelContract.ts against
 * every adapter): through `apply` (what the async projector calls), an event may touch several
 * ids, or every document a `where` finds through a scalar or a multi index, and replays change
 * nothing. Each test has a fresh workspace and its own projection name (its own checkpoint).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Projection, StoredEvent } from '../../src/projections/projection.js';
import type { ReadModelStore } from '../../src/stores/readModel.js';
import { itemEvent, itemEventTypes, itemsCollection, itemsProjection, type Item, type ItemPut } from './itemsProjection.js';

const objectId = (): string => randomUUID().replace(/-/g, '').slice(0, 24);

export const multiDocumentContract = (getReadModel: () => ReadModelStore): void => {
  describe('multi-document projections through apply', () => {
    let readModel: ReadModelStore;
    let projection: Projection;
    let workspaceId: string;
    let otherWorkspace: string;
    let position: bigint;

    beforeEach(() => {
      readModel = getReadModel();
      projection = itemsProjection(`contract_items_${objectId()}`);
      workspaceId = objectId();
      otherWorkspace = objectId();
      position = 100n;
    });

    const next = (type: string, data: Record<string, unknown>, ws = workspaceId): StoredEvent => {
      position += 1n;
      return itemEvent(position, type, { ...data, workspaceId: ws });
    };
    const put = (overrides: Partial<ItemPut> = {}, ws = workspaceId): StoredEvent =>
      next(
        itemEventTypes.put,
        { itemId: objectId(), groupId: 'g1', groupName: 'Group one', rank: 1, status: 'open', label: 'a', tags: [], ...overrides },
        ws,
      );
    const idOf = (event: StoredEvent): string => (event.data as { itemId: string }).itemId;
    const find = (id: string, ws = workspaceId) => readModel.find(itemsCollection, ws, id) as Promise<Item | null>;
    const tag = (id: string, name = id) => ({ id, name });

    it('applies an event naming several ids to each of them, creating none that evolve leaves out', async () => {
      const a = put();
      const b = put();
      const c = put();
      await readModel.apply([projection], [a, b, c]);
      const missing = objectId();
      await readModel.apply(
        [projection],
        [next(itemEventTypes.touched, { itemIds: [idOf(a), missing, idOf(c)] }), next(itemEventTypes.touched, { itemIds: [idOf(c)] })],
      );
      expect((await find(idOf(a)))!.touches).to.equal(1);
      expect((await find(idOf(b)))!.touches).to.equal(0);
      expect((await find(idOf(c)))!.touches).to.equal(2);
      expect(await find(missing)).to.equal(null);
      expect(await readModel.checkpoint(projection.name)).to.equal(position);
    });

    it('evolves a document named twice by one event once', async () => {
      const a = put();
      await readModel.apply([projection], [a, next(itemEventTypes.touched, { itemIds: [idOf(a), idOf(a)] })]);
      await readModel.apply([projection], [next(itemEventTypes.touched, { itemIds: [idOf(a), idOf(a), idOf(a)] })]);
      expect((await find(idOf(a)))!.touches).to.equal(2);
    });

    it('keeps a document whose array holds repeated values, numbers and a null, found by each scalar value', async () => {
      const a = next(itemEventTypes.put, {
        itemId: objectId(),
        groupId: 'g1',
        groupName: 'G',
        rank: 1,
        status: 'open',
        label: 'a',
        tags: [tag('t1'), tag('t1'), { id: 7, name: 'seven' }, { id: null, name: 'none' }],
      });
      await readModel.apply([projection], [a, next(itemEventTypes.tagRenamed, { tagId: 7, name: 'SEVEN' })]);
      expect(await find(idOf(a))).to.deep.include({ tagIds: ['t1', 't1', 7, null], tagNames: ['t1', 't1', 'SEVEN', 'none'] });
      for (const value of ['t1', 7]) {
        const page = await readModel.query(itemsCollection, workspaceId, { where: { tagIds: value }, orderBy: 'rank', limit: 10 });
        expect(
          page.documents.map((d) => d.id),
          String(value),
        ).to.deep.equal([idOf(a)]);
      }
    });

    it('applies a where on a scalar index to every document of the workspace that matches, and to no other', async () => {
      const inGroup = [put({ groupId: 'g1' }), put({ groupId: 'g1' }), put({ groupId: 'g1' })];
      const elsewhere = put({ groupId: 'g2' });
      const foreign = put({ groupId: 'g1' }, otherWorkspace);
      await readModel.apply([projection], [...inGroup, elsewhere, foreign]);
      await readModel.apply([projection], [next(itemEventTypes.groupRenamed, { groupId: 'g1', name: 'Renamed' })]);
      for (const event of inGroup) expect((await find(idOf(event)))!.groupName).to.equal('Renamed');
      expect((await find(idOf(elsewhere)))!.groupName).to.equal('Group one');
      expect((await find(idOf(foreign), otherWorkspace))!.groupName).to.equal('Group one');
    });

    it('applies a where on a multi index to every document whose array contains the value', async () => {
      const both = put({ tags: [tag('t1', 'one'), tag('t2', 'two')] });
      const only = put({ tags: [tag('t1', 'one')] });
      const without = put({ tags: [tag('t2', 'two')] });
      const foreign = put({ tags: [tag('t1', 'one')] }, otherWorkspace);
      await readModel.apply([projection], [both, only, without, foreign]);
      await readModel.apply([projection], [next(itemEventTypes.tagRenamed, { tagId: 't1', name: 'uno' })]);
      expect((await find(idOf(both)))!.tagNames).to.deep.equal(['uno', 'two']);
      expect((await find(idOf(only)))!.tagNames).to.deep.equal(['uno']);
      expect((await find(idOf(without)))!.tagNames).to.deep.equal(['two']);
      expect((await find(idOf(foreign), otherWorkspace))!.tagNames).to.deep.equal(['one']);
    });

    it('finds, within one batch, the documents written earlier in that batch, as they are at that point', async () => {
      const a = put({ groupId: 'g1', tags: [tag('t1')] });
      const moved = put({ groupId: 'g1', tags: [tag('t1')] });
      const batch = [
        a,
        moved,
        put({ itemId: idOf(moved), groupId: 'g2', tags: [tag('t2')] }),
        next(itemEventTypes.groupRenamed, { groupId: 'g1', name: 'G1' }),
        next(itemEventTypes.tagRenamed, { tagId: 't1', name: 'T1' }),
        next(itemEventTypes.touched, { itemIds: [idOf(a), idOf(moved)] }),
        next(itemEventTypes.tagRenamed, { tagId: 't2', name: 'T2' }),
      ];
      await readModel.apply([projection], batch);
      expect(await find(idOf(a))).to.deep.include({ groupName: 'G1', tagNames: ['T1'], touches: 1 });
      expect(await find(idOf(moved))).to.deep.include({ groupId: 'g2', groupName: 'Group one', tagNames: ['T2'], touches: 1 });
    });

    it('follows the arrays as they change: a dropped value is no longer found, a deleted document is not brought back', async () => {
      const a = put({ tags: [tag('t1'), tag('t2')] });
      const b = put({ tags: [tag('t1')] });
      await readModel.apply([projection], [a, b]);
      await readModel.apply(
        [projection],
        [
          next(itemEventTypes.tagDropped, { tagId: 't1' }),
          next(itemEventTypes.tagRenamed, { tagId: 't1', name: 'ghost' }),
          next(itemEventTypes.removed, { itemId: idOf(a) }),
          next(itemEventTypes.tagRenamed, { tagId: 't2', name: 'after removal' }),
          next(itemEventTypes.groupRenamed, { groupId: 'g1', name: 'after removal' }),
        ],
      );
      expect(await find(idOf(a))).to.equal(null);
      expect(await find(idOf(b))).to.deep.include({ tagIds: [], tagNames: [], groupName: 'after removal' });
    });

    it('changes nothing when the events are applied again, by the same projection or from a lower checkpoint', async () => {
      const a = put({ groupId: 'g1', tags: [tag('t1')] });
      const b = put({ groupId: 'g1', tags: [tag('t1'), tag('t2')] });
      const first = [
        a,
        b,
        next(itemEventTypes.groupRenamed, { groupId: 'g1', name: 'G' }),
        next(itemEventTypes.tagRenamed, { tagId: 't1', name: 'T' }),
      ];
      await readModel.apply([projection], first);
      // A document written after the rename events must not be touched by their replay.
      const later = put({ groupId: 'g1', groupName: 'fresh', tags: [tag('t1', 'fresh')] });
      const second = [next(itemEventTypes.touched, { itemIds: [idOf(a), idOf(b)] }), later];
      await readModel.apply([projection], second);
      const snapshot = await readModel.findMany(itemsCollection, workspaceId, [idOf(a), idOf(b), idOf(later)]);
      await readModel.apply([projection], [...first, ...second]);
      // Another projection over the same collection has no checkpoint: only the documents' own positions protect them.
      const replayer = itemsProjection(`contract_items_${objectId()}`) as Projection;
      await readModel.apply([replayer], [...first, ...second]);
      await readModel.apply([replayer], second);
      expect(await readModel.findMany(itemsCollection, workspaceId, [idOf(a), idOf(b), idOf(later)])).to.deep.equal(snapshot);
      expect(snapshot.map((d) => (d as Item).touches)).to.deep.equal([1, 1, 0]);
      expect((snapshot[2] as Item).groupName).to.equal('fresh');
      expect(await readModel.checkpoint(projection.name)).to.equal(position);
    });

    it('writes nothing of a batch whose where event fails part-way, checkpoint included', async () => {
      const a = put({ groupId: 'g1' });
      await readModel.apply([projection], [a]);
      const failing: Projection = {
        ...projection,
        evolve: (current, event, id) => {
          if (event.type === itemEventTypes.groupRenamed && (event.data as { name: string }).name === 'boom') throw new Error('boom');
          return projection.evolve(current, event, id);
        },
      };
      const checkpoint = await readModel.checkpoint(projection.name);
      let failed = false;
      try {
        await readModel.apply(
          [failing],
          [
            next(itemEventTypes.groupRenamed, { groupId: 'g1', name: 'fine' }),
            next(itemEventTypes.groupRenamed, { groupId: 'g1', name: 'boom' }),
          ],
        );
      } catch {
        failed = true;
      }
      expect(failed).to.equal(true);
      expect((await find(idOf(a)))!.groupName).to.equal('Group one');
      expect(await readModel.checkpoint(projection.name)).to.equal(checkpoint);
    });

    it('serves queries on the documents a where event changed', async () => {
      const events = Array.from({ length: 5 }, (_, n) => put({ rank: n, tags: [tag('t1'), tag(`own${n}`)] }));
      await readModel.apply([projection], [...events, next(itemEventTypes.tagDropped, { tagId: 't1' })]);
      expect(
        (await readModel.query(itemsCollection, workspaceId, { where: { tagIds: 't1' }, orderBy: 'rank', limit: 10 })).documents,
      ).to.deep.equal([]);
      const own = await readModel.query(itemsCollection, workspaceId, { where: { tagIds: 'own3' }, orderBy: 'rank', limit: 10 });
      expect(own.documents.map((d) => d.id)).to.deep.equal([idOf(events[3]!)]);
    });
  });
};

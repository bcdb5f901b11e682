/**
 * A projection whose events touch several ids, or every document a `where` finds through a scalar
 * or a multi index, gives the same documents, terms and checksums whichever way it runs on SQLite:
 * inline in the appends, through `apply` in batches (the async projector), and in a blue/green
 * rebuild (fed by the target's own catch-up or page by page, with appends during the rebuild).
 * Replays change nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Projection, StoredEvent } from '../../src/projections/projection.js';
import type { EventToAppend } from '../../src/stores/eventStore.js';
import type { RebuildTarget } from '../../src/stores/readModel.js';
import { sqliteReadModelChecksum, sqliteRebuildable } from '../../src/stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { itemEventTypes, itemsProjection } from '../contracts/itemsProjection.js';
import { itemsLog } from './itemsLog.js';

const projection = itemsProjection('items') as Projection;

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

/** Everything the read model holds for the items: documents with their positions, and terms. */
const contents = (store: SqliteStore): { documents: unknown[]; terms: unknown[]; checksum: string } => ({
  documents: store.db.prepare('SELECT id, workspace_id, doc, position FROM rm_contract_items ORDER BY id').all(),
  terms: store.db.prepare('SELECT id, field, value, workspace_id FROM terms_rm_contract_items ORDER BY id, field, value').all(),
  checksum: sqliteReadModelChecksum(store.db, [projection]).checksum,
});

/** One event per append, all in one turn: one group commit, positions in the order of the log. */
const appendAll = async (store: SqliteStore, log: readonly (EventToAppend & { streamId: string })[]): Promise<void> => {
  await Promise.all(log.map(({ streamId, ...event }) => store.append(streamId, [event], 'any')));
};

const identity = (event: StoredEvent): StoredEvent => event;

const expectIdentical = async (target: RebuildTarget): Promise<void> => {
  const comparison = await target.compare({ checksums: true, differences: true, examples: 5 });
  const [items] = comparison.collections;
  expect({ missing: items!.missing, extra: items!.extra, changed: items!.changed }).to.deep.equal({
    missing: { count: 0, examples: [] },
    extra: { count: 0, examples: [] },
    changed: { count: 0, examples: [] },
  });
  expect(comparison.checksums!.rebuilt).to.equal(comparison.checksums!.current);
};

describe('a multi-document projection on SQLite: inline, through apply and rebuilt', function () {
  this.timeout(20_000);
  let dir: string;
  let inline: SqliteStore;
  let inlineContents: ReturnType<typeof contents>;
  const log = itemsLog(260);
  const tail = itemsLog(40, 'tail');

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-multidoc-'));
    inline = new SqliteStore({ path: path.join(dir, 'inline.db'), inlineProjections: [projection] });
    await appendAll(inline, log);
    inlineContents = contents(inline);
  });
  after(async () => {
    await inline.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is a log that exercises every kind of selector on documents that exist', () => {
    const types = new Set(log.map((e) => e.type));
    expect([...types].sort()).to.deep.equal(Object.values(itemEventTypes).sort());
    const documents = inlineContents.documents as { doc: string }[];
    expect(documents.length).to.be.greaterThan(20);
    const parsed = documents.map((row) => JSON.parse(row.doc) as { groupName: string; tagNames: string[]; touches: number });
    expect(parsed.some((d) => d.groupName.startsWith('renamed'))).to.equal(true);
    expect(parsed.some((d) => d.tagNames.some((n) => n.startsWith('renamed')))).to.equal(true);
    expect(parsed.some((d) => d.touches > 1)).to.equal(true);
    expect(inlineContents.terms.length).to.be.greaterThan(5);
  });

  it('gives the same documents and terms through apply in batches of any size, and replays change nothing', async () => {
    for (const batch of [1, 7, 1000]) {
      const store = new SqliteStore({ path: path.join(dir, `apply-${batch}.db`), projections: [projection] });
      try {
        await appendAll(store, log);
        const events = await collect(store.readAll());
        for (let i = 0; i < events.length; i += batch) await store.apply([projection], events.slice(i, i + batch));
        expect(contents(store), `batches of ${batch}`).to.deep.equal(inlineContents);
        expect(await store.checkpoint('items')).to.equal(BigInt(log.length));
        // The projector delivering again, and a projection without checkpoint over the same documents.
        await store.apply([projection], events);
        await store.apply([itemsProjection('items-again')], events);
        await store.apply([itemsProjection('items-again')], events.slice(100, 140));
        expect(contents(store), `replayed, batches of ${batch}`).to.deep.equal(inlineContents);
      } finally {
        await store.close();
      }
    }
  });

  it('rebuilds the same documents, terms and checksums with its own catch-up, at any page size', async () => {
    for (const pageSize of [1, 5, 64, 1000]) {
      const target = await sqliteRebuildable(inline.db).beginRebuild([projection], { prepare: identity });
      await target.catchUp!({ pageSize });
      await expectIdentical(target);
      await target.switchOver();
      inline.invalidateDocumentCache();
      expect(contents(inline), `page size ${pageSize}`).to.deep.equal(inlineContents);
      expect(await inline.checkpoint('items')).to.equal(BigInt(log.length));
    }
  });

  it('rebuilds the same from pages fed by the caller (another event store), skipped events included', async () => {
    const events = await collect(inline.readAll());
    const target = await sqliteRebuildable(inline.db).beginRebuild([projection], { prepare: identity });
    for (let i = 0; i < events.length; i += 9) {
      const page = events.slice(i, i + 9);
      await target.applyPage(page.slice(0, -1), page[page.length - 1]!.position);
      await target.applyPage(page.slice(-1));
    }
    await expectIdentical(target);
    await target.switchOver();
    inline.invalidateDocumentCache();
    expect(contents(inline)).to.deep.equal(inlineContents);
  });

  it('takes in the events appended while it runs, and equals a store that projected everything inline', async () => {
    const target = await sqliteRebuildable(inline.db).beginRebuild([projection], { prepare: identity });
    await target.catchUp!({ pageSize: 50 });
    await appendAll(inline, tail.slice(0, 20));
    await expectIdentical(target);
    await appendAll(inline, tail.slice(20));
    const { applied } = await target.switchOver();
    expect(applied).to.equal(20);
    inline.invalidateDocumentCache();

    const reference = new SqliteStore({ path: path.join(dir, 'reference.db'), inlineProjections: [projection] });
    try {
      await appendAll(reference, [...log, ...tail]);
      expect(contents(inline)).to.deep.equal(contents(reference));
      expect(contents(inline)).to.not.deep.equal(inlineContents);
    } finally {
      await reference.close();
    }
  });
});

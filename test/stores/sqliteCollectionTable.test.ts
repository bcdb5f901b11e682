/**
 * SQLite collection tables: the declared indexes and the terms table exist on live tables and on
 * rebuilt ones (after any number of rebuilds, exactly one index per declaration), SQLite's plans
 * for queries and `where` lookups use them, and a reader that owns no projection changes nothing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Projection, StoredEvent } from '../../src/projections/projection.js';
import { allProjections } from '../../src/projections/index.js';
import type { Condition, Query } from '../../src/stores/readModel.js';
import { CollectionTable, createCollectionTable } from '../../src/stores/sqlite/collectionTable.js';
import { sqliteRebuildable } from '../../src/stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { itemEventTypes, itemIndexes, itemsProjection } from '../contracts/itemsProjection.js';

const projection = itemsProjection('items') as Projection;
const table = 'rm_contract_items';
const terms = 'terms_rm_contract_items';

const tempPath = (): { file: string; remove(): void } => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-collection-'));
  return {
    file: path.join(dir, 'store.db'),
    remove: () => {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

const meta = (workspaceId: string, n: number) => ({
  eventId: `event-${workspaceId}-${n}`,
  occurredAt: '2024-01-01T00:00:00.000Z',
  actor: { userId: 'u' },
  workspaceId,
  requestId: 'r',
  correlationId: 'c',
  schemaVersion: 1,
});

/** A few items in two workspaces, appended through an inline items projection. */
const seed = async (store: SqliteStore): Promise<void> => {
  let n = 0;
  for (const workspaceId of ['ws1', 'ws2']) {
    for (let i = 0; i < 6; i += 1) {
      n += 1;
      const data = {
        itemId: `${workspaceId}-item-${i}`,
        workspaceId,
        groupId: `g${i % 2}`,
        groupName: 'G',
        rank: i,
        status: i % 3 === 0 ? 'open' : 'closed',
        label: `label ${i}`,
        tags: [{ id: 't1', name: 'one' }, ...(i % 2 ? [{ id: `x${i}`, name: `tag ${i}` }] : [])],
      };
      await store.append(`item-${data.itemId}`, [{ type: itemEventTypes.put, data, metadata: meta(workspaceId, n) }], 'no_stream');
    }
  }
  await store.append(
    'tags-ws1',
    [{ type: itemEventTypes.tagRenamed, data: { tagId: 't1', workspaceId: 'ws1', name: 'uno' }, metadata: meta('ws1', 100) }],
    'no_stream',
  );
};

interface IndexRow {
  name: string;
  tbl_name: string;
  sql: string;
}
const indexesOf = (store: SqliteStore, of: string): IndexRow[] =>
  store.db
    .prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? ORDER BY name")
    .all(of) as IndexRow[];
const definitions = (rows: IndexRow[]): string[] => rows.map((row) => row.sql.slice(row.sql.indexOf('('))).sort();
const expectedDefinitions = itemIndexes
  .filter((index) => !index.multi)
  .map((index) => `(${['workspace_id', ...index.fields.map((f) => `json_extract(doc, '$.${f}')`), 'id'].join(', ')})`)
  .sort();
const allRows = (store: SqliteStore, of: string): unknown[] => store.db.prepare(`SELECT * FROM ${of} ORDER BY 1, 2, 3`).all();
const tables = (store: SqliteStore): string[] =>
  store.db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%contract_items%' ORDER BY name")
    .pluck()
    .all() as string[];

const rebuildItems = async (store: SqliteStore): Promise<void> => {
  const target = await sqliteRebuildable(store.db).beginRebuild([projection], { prepare: (event: StoredEvent) => event });
  await target.catchUp!({ pageSize: 4 });
  const comparison = await target.compare({ checksums: true, differences: true, examples: 3 });
  expect(
    comparison.collections[0]!.changed.count + comparison.collections[0]!.missing.count + comparison.collections[0]!.extra.count,
  ).to.equal(0);
  expect(comparison.checksums!.current).to.equal(comparison.checksums!.rebuilt);
  await target.switchOver();
  store.invalidateDocumentCache();
};

describe('SQLite collection tables', () => {
  let temp: ReturnType<typeof tempPath>;
  let store: SqliteStore;

  beforeEach(async () => {
    temp = tempPath();
    store = new SqliteStore({ path: temp.file, inlineProjections: [projection] });
    await seed(store);
  });
  afterEach(async () => {
    await store.close();
    temp.remove();
  });

  describe('a live table', () => {
    it('has one index per declared scalar index, the terms table its lookup index, and a term per array value', () => {
      expect(definitions(indexesOf(store, table))).to.deep.equal(expectedDefinitions);
      expect(definitions(indexesOf(store, terms))).to.deep.equal(['(workspace_id, field, value, id)']);
      const termRows = store.db.prepare(`SELECT id, field, value, workspace_id FROM ${terms} WHERE id = 'ws1-item-3'`).all();
      expect(termRows).to.deep.equal([
        { id: 'ws1-item-3', field: 'tagIds', value: 't1', workspace_id: 'ws1' },
        { id: 'ws1-item-3', field: 'tagIds', value: 'x3', workspace_id: 'ws1' },
      ]);
      expect(store.db.prepare(`SELECT COUNT(*) FROM ${terms}`).pluck().get()).to.equal(12 + 6);
    });

    it('gets the indexes declared now when its projection changes, and loses those no longer declared', async () => {
      await store.close();
      const changed = { ...projection, indexes: [itemIndexes[0]!, { name: 'by_label', fields: ['label'] }, itemIndexes[3]!] } as Projection;
      store = new SqliteStore({ path: temp.file, inlineProjections: [changed] });
      await store.query('contract_items', 'ws1', { orderBy: 'label', limit: 1 });
      expect(definitions(indexesOf(store, table))).to.deep.equal([
        "(workspace_id, json_extract(doc, '$.label'), id)",
        "(workspace_id, json_extract(doc, '$.rank'), id)",
      ]);
    });

    it('is left as it is by a reader that owns no projection of the collection, which still finds its documents', async () => {
      const before = indexesOf(store, table);
      const reader = new SqliteStore({ path: temp.file });
      try {
        expect(await reader.find('contract_items', 'ws1', 'ws1-item-2')).to.deep.include({ rank: 2 });
        expect(indexesOf(reader, table)).to.deep.equal(before);
        // Learning the projection afterwards (the async projector's apply) writes its terms too.
        const put: StoredEvent = {
          streamId: 'x',
          revision: 0n,
          position: 1000n,
          type: itemEventTypes.put,
          data: {
            itemId: 'late',
            workspaceId: 'ws1',
            groupId: 'g9',
            groupName: 'G',
            rank: 9,
            status: 'open',
            label: 'l',
            tags: [{ id: 'late-tag', name: 'x' }],
          },
          metadata: meta('ws1', 1000),
        };
        await reader.apply([itemsProjection('items-reader')], [put]);
        expect(
          (await reader.query('contract_items', 'ws1', { where: { tagIds: 'late-tag' }, orderBy: 'rank', limit: 5 })).documents.map(
            (d) => d.id,
          ),
        ).to.deep.equal(['late']);
      } finally {
        await reader.close();
      }
      expect(indexesOf(store, table)).to.deep.equal(before);
    });

    it('creates an index whose declaration has no field (workspace, then id)', () => {
      createCollectionTable(store.db, 'rm_bare_test', [{ name: 'by_workspace', fields: [] }]);
      expect(definitions(indexesOf(store, 'rm_bare_test'))).to.deep.equal(['(workspace_id, id)']);
    });
  });

  describe('a rebuilt table', () => {
    it('has exactly the declared indexes and the same documents and terms, after one rebuild and after another', async () => {
      const documents = allRows(store, table);
      const termRows = allRows(store, terms);
      const names: string[][] = [indexesOf(store, table).map((row) => row.name)];
      for (let round = 0; round < 2; round += 1) {
        await rebuildItems(store);
        const rebuilt = indexesOf(store, table);
        expect(definitions(rebuilt), `rebuild ${round + 1}`).to.deep.equal(expectedDefinitions);
        expect(rebuilt.every((row) => row.tbl_name === table)).to.equal(true);
        expect(definitions(indexesOf(store, terms))).to.deep.equal(['(workspace_id, field, value, id)']);
        expect(allRows(store, table)).to.deep.equal(documents);
        expect(allRows(store, terms)).to.deep.equal(termRows);
        expect(tables(store)).to.deep.equal([table, terms]);
        names.push(rebuilt.map((row) => row.name));
      }
      // The names are fresh each time (SQLite cannot rename an index), the definitions the same.
      expect(new Set(names.flat()).size).to.equal(names.flat().length);
      // Reopening the store changes nothing either.
      await store.close();
      store = new SqliteStore({ path: temp.file, inlineProjections: [projection] });
      await store.query('contract_items', 'ws1', { orderBy: 'rank', limit: 1 });
      expect(indexesOf(store, table).map((row) => row.name)).to.deep.equal(names[2]);
    });

    it('serves where selectors and queries through the new indexes while it is being built and after the switch', async () => {
      const target = await sqliteRebuildable(store.db).beginRebuild([projection], { prepare: (event: StoredEvent) => event });
      expect(definitions(indexesOf(store, `${table}__next`))).to.deep.equal(expectedDefinitions);
      expect(definitions(indexesOf(store, `${terms}__next`))).to.deep.equal(['(workspace_id, field, value, id)']);
      const next = new CollectionTable(store.db, `${table}__next`, projection);
      expect(next.explainWhere('ws1', 'tagIds', 't1').join(' ')).to.match(/USING COVERING INDEX ix_\w+_lookup/);
      expect(next.explainWhere('ws1', 'groupId', 'g1').join(' ')).to.match(/USING INDEX ix_\w+_by_group_rank/);
      await target.catchUp!({ pageSize: 3 });
      await target.switchOver();
      store.invalidateDocumentCache();
      const page = await store.query('contract_items', 'ws1', { where: { tagIds: 't1' }, orderBy: 'rank', limit: 3 });
      expect(page.documents.map((d) => d.id)).to.deep.equal(['ws1-item-0', 'ws1-item-1', 'ws1-item-2']);
      expect(page.documents.every((d) => (d.tagNames as string[])[0] === 'uno')).to.equal(true);
    });
  });

  describe('a reader on another connection', () => {
    it('queries through the new indexes after a rebuild renamed them away, and the indexes it chooses', async () => {
      const reader = new SqliteStore({ path: temp.file, projections: [projection] });
      try {
        const query = { where: { groupId: 'g1', rank: { gte: 0, lt: 9 } }, orderBy: 'rank', limit: 2 } satisfies Query;
        const before = await reader.query('contract_items', 'ws1', query);
        await rebuildItems(store);
        await rebuildItems(store);
        expect(await reader.query('contract_items', 'ws1', query)).to.deep.equal(before);
        expect(before.documents.map((d) => d.id)).to.deep.equal(['ws1-item-1', 'ws1-item-3']);
      } finally {
        await reader.close();
      }
    });
  });

  describe('query plans', () => {
    const planOf = (query: Query): string => new CollectionTable(store.db, table, projection).explainQuery('ws1', query).join(' | ');
    const cases: [string, Query, RegExp][] = [
      [
        'an equality and its sort field',
        { where: { groupId: 'g1' }, orderBy: 'rank', limit: 10 },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_group_rank \(workspace_id=\? AND <expr>=\?\)$/,
      ],
      [
        'an equality and a range on its sort field (the equality index, not the range-only one)',
        { where: { groupId: 'g1', rank: { gte: 1, lt: 5 } }, orderBy: 'rank', limit: 10 },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_group_rank \(workspace_id=\? AND <expr>=\? AND <expr>>\? AND <expr><\?\)$/,
      ],
      [
        'a page after a cursor (the index range starts at the cursor)',
        { where: { groupId: 'g1' }, orderBy: 'rank', limit: 10, after: { value: 2, id: 'x' } },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_group_rank \(workspace_id=\? AND <expr>=\? AND <expr>>\?\)$/,
      ],
      [
        'a range on the sort field',
        { where: { rank: { gte: 1, lt: 5 } }, orderBy: 'rank', limit: 10 },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_rank \(workspace_id=\? AND <expr>>\? AND <expr><\?\)$/,
      ],
      [
        'an "in" on the leading field',
        { where: { status: { in: ['open', 'closed'] } }, orderBy: 'label', limit: 10 },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_status_label \(workspace_id=\? AND <expr>=\?\)/,
      ],
      [
        'equalities on every field, ordered by id',
        { where: { status: 'open', label: 'a' }, orderBy: 'id', limit: 10, after: { value: 'a', id: 'x' } },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_status_label \(workspace_id=\? AND <expr>=\? AND <expr>=\? AND id>\?\)$/,
      ],
      [
        'an array contains, ordered by an indexed field',
        { where: { tagIds: 't1' }, orderBy: 'rank', limit: 10 },
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_rank .*SEARCH terms_rm_contract_items USING COVERING INDEX ix_\w+_lookup/,
      ],
    ];
    for (const [name, query, expected] of cases) {
      it(`uses the declared index for ${name}, never a scan`, () => {
        const plan = planOf(query);
        expect(plan).to.match(expected);
        expect(plan).to.not.match(/\bSCAN\b/);
      });
    }

    it("serves every view's declared indexes: equalities on the leading fields, a range and a cursor on the last", () => {
      let checked = 0;
      for (const view of allProjections) {
        const live = new CollectionTable(store.db, `rm_${view.collection}`, view);
        for (const index of view.indexes ?? []) {
          if (index.multi) {
            const plan = live.explainWhere('ws1', index.fields[0]!, 'x').join(' | ');
            expect(plan, `${view.name}.${index.name}`).to.match(/USING COVERING INDEX ix_\w+_lookup/);
            expect(plan, `${view.name}.${index.name}`).to.not.match(/\bSCAN\b/);
            checked += 1;
            continue;
          }
          const sort = index.fields[index.fields.length - 1]!;
          const where: Record<string, Condition> = Object.fromEntries(index.fields.slice(0, -1).map((field) => [field, 'x']));
          where[sort] = { gte: 'a', lt: 'z' };
          const plan = live.explainQuery('ws1', { where, orderBy: sort, limit: 50, after: { value: 'b', id: 'c' } }).join(' | ');
          expect(plan, `${view.name}.${index.name}: ${plan}`).to.match(
            new RegExp(`^SEARCH rm_${view.collection} USING INDEX ix_\\w+_${index.name} `),
          );
          expect(plan, `${view.name}.${index.name}`).to.not.match(/\bSCAN\b|TEMP B-TREE/);
          checked += 1;
        }
      }
      expect(checked, 'the views declare indexes').to.be.greaterThan(0);
    });

    it('looks up where selectors through the scalar index and the terms index', () => {
      const live = new CollectionTable(store.db, table, projection);
      expect(live.explainWhere('ws1', 'groupId', 'g1').join(' ')).to.match(
        /^SEARCH rm_contract_items USING INDEX ix_\w+_by_group_rank \(workspace_id=\? AND <expr>=\?\)$/,
      );
      const multi = live.explainWhere('ws1', 'tagIds', 't1').join(' | ');
      expect(multi).to.match(/USING COVERING INDEX ix_\w+_lookup \(workspace_id=\? AND field=\? AND value=\?\)/);
      expect(multi).to.match(/USING PRIMARY KEY \(id=\?\)/);
      expect(multi).to.not.match(/\bSCAN\b/);
    });

    it('refuses a where selector on a field no index declares', () => {
      expect(() => new CollectionTable(store.db, table, projection).selectWhere('ws1', 'label', 'x')).to.throw(
        /declares no index on label/,
      );
    });
  });
});

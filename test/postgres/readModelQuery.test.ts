/**
 * Queries and multi-document projections on the PostgreSQL read model, checked against the SQLite
 * read model (the reference adapter) on the same documents: same pages, same cursors, same
 * documents touched by a `where` selector, same refusal of a query no index serves.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Projection } from '../../src/projections/projection.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import type { Query, ReadModelStore } from '../../src/stores/readModel.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { Resources } from '../support/resources.js';
import { openPostgresStores, requirePostgres } from './support.js';

type Item = Record<string, unknown> & {
  id: string;
  workspaceId: string;
  name: string;
  rank: number | null;
  tags: string[];
  ownerId: string;
};

/** Items: written whole by ItemWritten; ItemsRetagged renames a tag on every item that has it; OwnerRenamed touches every item of the owner. */
const items: Projection = {
  name: 'query_items',
  collection: 'query_items',
  handles: ['ItemWritten', 'ItemsRetagged', 'OwnerRenamed'],
  indexes: [
    { name: 'by_name', fields: ['name'] },
    { name: 'by_owner_rank', fields: ['ownerId', 'rank'] },
    { name: 'by_tag', fields: ['tags'], multi: true },
  ],
  documents: (event) => {
    const data = event.data as Record<string, string>;
    if (event.type === 'ItemsRetagged') return { workspaceId: event.metadata.workspaceId, where: { field: 'tags', equals: data.from! } };
    if (event.type === 'OwnerRenamed')
      return { workspaceId: event.metadata.workspaceId, where: { field: 'ownerId', equals: data.ownerId! } };
    return { workspaceId: event.metadata.workspaceId, ids: [data.id!] };
  },
  evolve: (current, event) => {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'ItemWritten') return data as unknown as Item;
    const item = current as unknown as Item;
    if (event.type === 'ItemsRetagged') return { ...item, tags: item.tags.map((t) => (t === data.from ? (data.to as string) : t)) };
    return { ...item, name: `${item.name} (${String(data.name)})` };
  },
};

let position = 0n;
const recorded = (workspaceId: string, type: string, data: Record<string, unknown>): StoredEvent => ({
  streamId: `item-${randomUUID()}`,
  revision: 0n,
  position: (position += 1n),
  type,
  data,
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

const names = ['alpha', 'Beta', 'beta', 'gamma', 'Zeta', 'étoile', 'delta', 'alpha'];

const seed = (workspaceId: string, other: string): StoredEvent[] => [
  ...names.map((name, i) =>
    recorded(workspaceId, 'ItemWritten', {
      id: `item${String(i).padStart(2, '0')}`,
      workspaceId,
      name,
      rank: i % 3 === 0 ? null : (i * 7) % 5,
      tags: i % 2 === 0 ? ['red', 'blue'] : ['green'],
      ownerId: i < 4 ? 'owner-a' : 'owner-b',
    }),
  ),
  recorded(other, 'ItemWritten', { id: 'foreign', workspaceId: other, name: 'alpha', rank: 1, tags: ['red'], ownerId: 'owner-a' }),
  recorded(workspaceId, 'ItemsRetagged', { from: 'blue', to: 'navy' }),
  recorded(workspaceId, 'OwnerRenamed', { ownerId: 'owner-b', name: 'B & Co' }),
];

const allPages = async (readModel: ReadModelStore, workspaceId: string, query: Omit<Query, 'after'>): Promise<string[][]> => {
  const pages: string[][] = [];
  let after: Query['after'];
  for (;;) {
    const page = await readModel.query('query_items', workspaceId, { ...query, ...(after ? { after } : {}) });
    pages.push(page.documents.map((d) => d.id));
    if (!page.next) return pages;
    after = page.next;
  }
};

describe('PostgreSQL read-model queries and multi-document projections, against the SQLite reference', function () {
  const opened = new Resources();
  let postgres: Awaited<ReturnType<typeof openPostgresStores>>;
  let sqlite: SqliteStore;
  const workspaceId = `ws${randomUUID().slice(0, 8)}`;

  before(async function () {
    requirePostgres.call(this);
    postgres = opened.add(await openPostgresStores(), (p) => p.cleanup());
    const dir = opened.add(fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-query-')), (d) => {
      fs.rmSync(d, { recursive: true, force: true });
    });
    sqlite = opened.add(new SqliteStore({ path: path.join(dir, 'q.db'), projections: [items] }), (store) => store.close());
    const events = seed(workspaceId, `other${randomUUID().slice(0, 8)}`);
    for (const store of [postgres.readModel as ReadModelStore, sqlite]) {
      // Two batches: the where selectors of the second see the documents the first wrote.
      await store.apply([items], events.slice(0, 5));
      await store.apply([items], events.slice(5));
    }
  });
  after(() => opened.close());

  it('applies where selectors (a multi field and a plain field) to the same documents as SQLite', async () => {
    const ids = names.map((_, i) => `item${String(i).padStart(2, '0')}`);
    const fromPostgres = await postgres.readModel.findMany('query_items', workspaceId, ids);
    const fromSqlite = await sqlite.findMany('query_items', workspaceId, ids);
    const byId = (docs: Record<string, unknown>[]) => Object.fromEntries(docs.map((d) => [d.id, d]));
    expect(byId(fromPostgres)).to.deep.equal(byId(fromSqlite));
    expect(fromPostgres.find((d) => d.id === 'item00')).to.deep.include({ tags: ['red', 'navy'], name: 'alpha' });
    expect(fromPostgres.find((d) => d.id === 'item05')).to.deep.include({ name: 'étoile (B & Co)' });
  });

  const queries: [string, Omit<Query, 'after'>][] = [
    ['ordered by name, 3 a page', { orderBy: 'name', limit: 3 }],
    ['one owner ordered by rank (nulls first)', { where: { ownerId: 'owner-a' }, orderBy: 'rank', limit: 10 }],
    ['the other owner, ranked ones, by rank a page of 1', { where: { ownerId: 'owner-b', rank: { gte: 0 } }, orderBy: 'rank', limit: 1 }],
    ['one owner, a rank range', { where: { ownerId: 'owner-b', rank: { gte: 1, lt: 4 } }, orderBy: 'rank', limit: 10 }],
    ['names in a list', { where: { name: { in: ['alpha', 'gamma', 'nope'] } }, orderBy: 'name', limit: 10 }],
    ['a name range', { where: { name: { gt: 'Beta', lte: 'delta' } }, orderBy: 'name', limit: 2 }],
    ['array contains', { where: { tags: 'navy' }, orderBy: 'name', limit: 2 }],
    ['array contains one of', { where: { tags: { in: ['green', 'red'] } }, orderBy: 'name', limit: 3 }],
    ['by id after an equality on the whole index', { where: { name: 'alpha' }, orderBy: 'id', limit: 1 }],
  ];
  for (const [name, query] of queries) {
    it(`gives the pages SQLite gives: ${name}`, async () => {
      const fromPostgres = await allPages(postgres.readModel, workspaceId, query);
      const fromSqlite = await allPages(sqlite, workspaceId, query);
      expect(fromPostgres).to.deep.equal(fromSqlite);
      expect(fromPostgres.flat().length).to.be.greaterThan(0);
    });
  }

  it('keeps other workspaces out of every page', async () => {
    const ids = (await allPages(postgres.readModel, workspaceId, { orderBy: 'name', limit: 100 })).flat();
    expect(ids).to.not.include('foreign');
    expect(ids).to.have.length(names.length);
  });

  it('refuses, as SQLite does, a query that no declared index serves', async () => {
    for (const query of [
      { orderBy: 'rank', limit: 5 },
      { orderBy: 'id', limit: 5 },
      { where: { tags: 'red' }, orderBy: 'tags', limit: 5 },
    ] as Query[]) {
      for (const store of [postgres.readModel as ReadModelStore, sqlite]) {
        let failure: unknown;
        await store.query('query_items', workspaceId, query).catch((error: unknown) => (failure = error));
        expect(String(failure), JSON.stringify(query)).to.match(/no index of collection query_items serves/);
      }
    }
  });

  it('creates the declared indexes: expression indexes and a GIN index for the array field', async () => {
    const { rows } = await postgres.db.query<{ indexdef: string }>(
      "SELECT indexdef FROM pg_indexes WHERE tablename = 'rm_query_items' AND indexname LIKE 'ix\\_%' ORDER BY indexname",
    );
    expect(rows).to.have.length(3);
    expect(rows.some((r) => r.indexdef.includes('USING gin'))).to.equal(true);
    expect(rows.filter((r) => r.indexdef.includes('USING btree (workspace_id'))).to.have.length(2);
  });
});

/**
 * A projection's index declarations are checked once, by one rule (checkIndexes,
 * src/projections/projection.ts): when a view is defined, and when a read model of any adapter
 * registers a projection or a rebuild begins, so that a declaration one adapter could not serve
 * (a `multi` index over two fields, which SQLite and PostgreSQL used to read as its first field)
 * fails the same way everywhere. No server is needed: PostgreSQL's pool and MongoDB's client
 * connect on their first query, and the declaration fails before any.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { defineProjection } from '../../src/projections/defineProjection.js';
import { allProjections } from '../../src/projections/index.js';
import { checkIndexes, type IndexSpec, type Projection, type StoredEvent } from '../../src/projections/projection.js';
import { MongoReadModel } from '../../src/stores/mongodb/mongoReadModel.js';
import { PostgresDatabase } from '../../src/stores/postgres/database.js';
import { PostgresReadModel } from '../../src/stores/postgres/postgresReadModel.js';
import { sqliteRebuildable } from '../../src/stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

const declaring = (indexes: readonly IndexSpec[]): Projection => ({
  name: 'tagged',
  collection: 'tagged',
  handles: ['Tagged'],
  indexes,
  documents: (event) => ({ workspaceId: 'w', ids: [event.streamId] }),
  evolve: (current) => current,
});

const tagged: StoredEvent = {
  streamId: 'item-1',
  revision: 0n,
  position: 1n,
  type: 'Tagged',
  data: {},
  metadata: {
    eventId: 'e1',
    occurredAt: '2024-01-01T00:00:00.000Z',
    actor: { userId: 'u' },
    workspaceId: 'w',
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
};

const twoFieldMulti = declaring([{ name: 'by_tag', fields: ['tagIds', 'rank'], multi: true }]);
const multiError = 'multi index by_tag of collection tagged must have exactly one field, has 2';

describe('checking index declarations', () => {
  it('accepts every declaration of the service’s views', () => {
    for (const projection of allProjections) checkIndexes(projection);
  });

  it('refuses a multi index over more than one field', () => {
    expect(() => {
      checkIndexes(twoFieldMulti);
    }).to.throw(multiError);
  });

  it('refuses an index without fields', () => {
    expect(() => {
      checkIndexes(declaring([{ name: 'by_nothing', fields: [] }]));
    }).to.throw('index by_nothing of collection tagged has no fields');
  });

  it('refuses a name that is not [a-z][a-z0-9_]*', () => {
    expect(() => {
      checkIndexes(declaring([{ name: 'By-Rank', fields: ['rank'] }]));
    }).to.throw('invalid index name By-Rank (collection tagged)');
  });

  it('refuses two indexes of one name', () => {
    expect(() => {
      checkIndexes(
        declaring([
          { name: 'by_rank', fields: ['rank'] },
          { name: 'by_rank', fields: ['label'] },
        ]),
      );
    }).to.throw('index by_rank of collection tagged is declared twice');
  });
});

describe('declaring a multi index over two fields', () => {
  it('fails when the view is defined', () => {
    expect(() => defineProjection({ name: 'tagged', collection: 'tagged', indexes: twoFieldMulti.indexes ?? [], on: {} })).to.throw(
      multiError,
    );
  });

  describe('on SQLite', () => {
    let dir: string;
    let store: SqliteStore;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-indexes-'));
      store = new SqliteStore({ path: path.join(dir, 'store.db') });
    });
    afterEach(async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('fails when the store first applies the projection, and creates no table', async () => {
      let failure: unknown;
      await store.apply([twoFieldMulti], [tagged]).catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error).with.property('message', multiError);
      expect(store.db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%tagged%'").all()).to.deep.equal([]);
    });

    it('fails when a rebuild of it begins', async () => {
      let failure: unknown;
      await sqliteRebuildable(store.db)
        .beginRebuild([twoFieldMulti], { prepare: (event) => event })
        .catch((error: unknown) => (failure = error));
      expect(failure).to.be.instanceOf(Error).with.property('message', multiError);
    });
  });

  it('fails when a PostgreSQL read model registers it', async () => {
    const db = new PostgresDatabase({ url: 'postgres://postgres@127.0.0.1:1/never_connected' });
    try {
      expect(() => new PostgresReadModel(db, { projections: [twoFieldMulti] })).to.throw(multiError);
    } finally {
      await db.close();
    }
  });

  it('fails when a MongoDB read model registers it', async () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/never_connected');
    try {
      expect(() => new MongoReadModel(client.db('never_connected'), undefined, { projections: [twoFieldMulti] })).to.throw(multiError);
    } finally {
      await client.close();
    }
  });
});

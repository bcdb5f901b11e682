/**
 * The MongoDB query planner against the SQLite one, the reference: for every combination of
 * conditions and sort fields over the contract's items projection and the session view, MongoDB
 * accepts exactly the queries SQLite accepts, and hints the index SQLite names (INDEXED BY).
 * Real SQLite (a temp file, the store's own collection tables); MongoDB's side needs no server.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import type { Projection } from '../../src/projections/projection.js';
import { sessionView } from '../../src/projections/sessionView.js';
import { planQuery } from '../../src/stores/mongodb/mongoIndexes.js';
import type { Query } from '../../src/stores/readModel.js';
import { CollectionTable, tableFor } from '../../src/stores/sqlite/collectionTable.js';
import { itemsProjection } from '../contracts/itemsProjection.js';

const workspaceId = 'w'.repeat(24);

/** One condition of each kind on each field, and none. */
const conditionsOn = (fields: readonly string[]): Record<string, unknown>[] => [
  {},
  ...fields.flatMap((field) => [{ [field]: 'x' }, { [field]: { in: ['x', 'y'] } }, { [field]: { gt: 'a' } }]),
];

describe('MongoDB and SQLite query planning', () => {
  let dir: string;
  let db: Database.Database;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-parity-'));
    db = new Database(path.join(dir, 'parity.db'));
  });
  after(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const cases: [string, Projection, string[]][] = [
    ['the contract items', itemsProjection('parity_items'), ['groupId', 'rank', 'status', 'label', 'tagIds', 'touches']],
    ['the session view', sessionView, ['startAt', 'endAt', 'staffId', 'clientId', 'serviceIds', 'status']],
  ];
  for (const [name, projection, fields] of cases) {
    it(`accept the same queries over ${name} and serve them through the same index`, () => {
      const table = new CollectionTable(db, tableFor(projection.collection), projection);
      const conditions = conditionsOn(fields);
      const differences: string[] = [];
      let accepted = 0;
      let total = 0;
      for (const a of conditions) {
        for (const b of conditions) {
          for (const orderBy of ['id', ...fields]) {
            const query = { where: { ...a, ...b }, orderBy, limit: 10 } as Query;
            total += 1;
            let sqliteIndex: string | null;
            try {
              const detail = table.explainQuery(workspaceId, query).join(' ');
              sqliteIndex = /INDEX ix_[0-9a-f]+_([a-z0-9_]+)/.exec(detail)?.[1] ?? 'unknown';
            } catch {
              sqliteIndex = null;
            }
            let mongoIndex: string | null;
            try {
              mongoIndex = planQuery(projection, workspaceId, query).hint.replace(/^ix_/, '');
            } catch {
              mongoIndex = null;
            }
            if (sqliteIndex !== null) accepted += 1;
            if (sqliteIndex !== mongoIndex)
              differences.push(`${JSON.stringify(query)}: sqlite ${String(sqliteIndex)}, mongodb ${String(mongoIndex)}`);
          }
        }
      }
      expect(differences.slice(0, 10), `${differences.length} of ${total} differ`).to.deep.equal([]);
      // Both kinds occur, so the comparison means something.
      expect(accepted).to.be.greaterThan(0);
      expect(accepted).to.be.lessThan(total);
    });
  }
});

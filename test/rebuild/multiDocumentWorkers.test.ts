/**
 * The multi-document projection rebuilt with worker threads (the path of large logs, forced here
 * with a threshold of 0): documents found by several ids or by a `where` are left to the applying
 * thread, which must give the same documents, terms and checksums as the inline projection.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { StoredEvent } from '../../src/projections/projection.js';
import { sqliteReadModelChecksum, sqliteRebuildable } from '../../src/stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { itemsLog } from './itemsLog.js';
import * as itemsRegistry from './itemsRegistry.js';

const projection = itemsRegistry.itemsForWorkers;

const contents = (store: SqliteStore) => ({
  documents: store.db.prepare('SELECT id, workspace_id, doc, position FROM rm_contract_items ORDER BY id').all(),
  terms: store.db.prepare('SELECT id, field, value, workspace_id FROM terms_rm_contract_items ORDER BY id, field, value').all(),
  checksum: sqliteReadModelChecksum(store.db, [projection]).checksum,
});

describe('a multi-document projection rebuilt with worker threads', function () {
  this.timeout(30_000);
  let dir: string;
  let store: SqliteStore;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-multidoc-workers-'));
    store = new SqliteStore({ path: path.join(dir, 'store.db'), inlineProjections: [projection] });
    await Promise.all(itemsLog(300).map(({ streamId, ...event }) => store.append(streamId, [event], 'any')));
  });
  after(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  {
    const pageSize = 6;
    it('gives the inline documents, terms and checksums (two workers, ranges of 6 events)', async () => {
      const inline = contents(store);
      // The applying thread prepares only the events it applies itself: fewer than the log when workers ran.
      let prepared = 0;
      const prepare = (event: StoredEvent): StoredEvent => {
        prepared += 1;
        return event;
      };
      const settings = { workers: 2, parallelThreshold: 0, registry: itemsRegistry };
      const target = await sqliteRebuildable(store.db, settings).beginRebuild([projection], { prepare, prepareIsStandard: true });
      try {
        const applied = await target.catchUp!({ pageSize });
        expect(applied).to.equal(300);
        expect(prepared).to.be.greaterThan(0).and.lessThan(300);
        const comparison = await target.compare({ checksums: true, differences: true, examples: 5 });
        expect(comparison.collections[0]!.changed).to.deep.equal({ count: 0, examples: [] });
        expect(comparison.collections[0]!.missing.count + comparison.collections[0]!.extra.count).to.equal(0);
        expect(comparison.checksums!.rebuilt).to.equal(comparison.checksums!.current);
      } catch (error) {
        await target.discard();
        throw error;
      }
      await target.switchOver();
      store.invalidateDocumentCache();
      expect(contents(store)).to.deep.equal(inline);
    });
  }
});

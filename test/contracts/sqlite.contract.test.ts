/** The store contracts against the embedded SQLite adapter, on a temp file per suite. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Projection } from '../../src/projections/projection.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { eventStoreContract } from './eventStoreContract.js';
import { readModelContract } from './readModelContract.js';

const openSqlite = (options: { groupCommit?: boolean; projections?: readonly Projection[] } = {}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-contract-'));
  const store = new SqliteStore({ path: path.join(dir, 'contract.db'), ...options });
  return {
    store,
    cleanup: async () => {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
};

eventStoreContract('sqlite (group commit)', async () => openSqlite());
eventStoreContract('sqlite (one transaction per append)', async () => openSqlite({ groupCommit: false }));
readModelContract('sqlite', async (projections) => {
  const { store, cleanup } = openSqlite({ projections });
  return { readModel: store, cleanup };
});

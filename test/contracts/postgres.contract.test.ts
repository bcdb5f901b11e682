/**
 * The store contracts against the machine's PostgreSQL server (POSTGRES_URL), each suite on a
 * database of its own (see test/postgres/support.ts). Skipped without POSTGRES_URL outside CI.
 */
import { PostgresReadModel } from '../../src/stores/postgres/postgresReadModel.js';
import { postgresUrl, openPostgresStores, requirePostgres } from '../postgres/support.js';
import { eventStoreContract } from './eventStoreContract.js';
import { readModelContract } from './readModelContract.js';

if (postgresUrl) {
  eventStoreContract('postgres', async () => {
    const { events, cleanup } = await openPostgresStores();
    return { store: events, cleanup };
  });
  readModelContract('postgres', async (projections) => {
    const { db, cleanup } = await openPostgresStores();
    const readModel = new PostgresReadModel(db, { projections });
    await readModel.ensureCollections();
    return { readModel, cleanup };
  });
} else {
  describe('store contracts: postgres', function () {
    before(requirePostgres);
    it('pass the EventStore and ReadModelStore contracts against a real PostgreSQL server', () => undefined);
  });
}

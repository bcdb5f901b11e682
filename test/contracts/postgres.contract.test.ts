/**
 * The store contracts against the machine's PostgreSQL server (POSTGRES_URL), each suite on a
 * database of its own (see test/postgres/support.ts). Skipped without POSTGRES_URL outside CI.
 */
import { postgresUrl, openPostgresStores, requirePostgres } from '../postgres/support.js';
import { eventStoreContract } from './eventStoreContract.js';
import { readModelContract } from './readModelContract.js';

if (postgresUrl) {
  eventStoreContract('postgres', async () => {
    const { events, cleanup } = await openPostgresStores();
    return { store: events, cleanup };
  });
  readModelContract('postgres', async () => {
    const { readModel, cleanup } = await openPostgresStores();
    return { readModel, cleanup };
  });
} else {
  describe('store contracts: postgres', function () {
    before(requirePostgres);
    it('pass the EventStore and ReadModelStore contracts against a real PostgreSQL server', () => undefined);
  });
}

/**
 * The EventStore contract against a real KurrentDB server, when KURRENTDB_URL is set:
 *   docker compose up -d kurrentdb
 *   KURRENTDB_URL='kurrentdb://localhost:2113?tls=false' npx mocha test/contracts/kurrentdb.contract.test.ts
 * The suite uses fresh stream ids and reads the log from the head it found, so a shared server is fine.
 */
import { KurrentEventStore } from '../../src/stores/kurrentdb/kurrentEventStore.js';
import { eventStoreContract } from './eventStoreContract.js';

const url = process.env.KURRENTDB_URL?.trim();

if (url) {
  eventStoreContract('kurrentdb', async () => {
    const store = KurrentEventStore.fromConnectionString(url);
    await store.ping();
    return { store, cleanup: () => store.close() };
  });
} else {
  describe('EventStore contract: kurrentdb', function () {
    before(function () {
      console.log(
        "      skipped: set KURRENTDB_URL (e.g. 'kurrentdb://localhost:2113?tls=false') to run the EventStore contract against KurrentDB",
      );
      this.skip();
    });
    it('passes the EventStore contract against a real KurrentDB server', () => undefined);
  });
}

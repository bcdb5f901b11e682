/**
 * The ReadModelStore contract against a real MongoDB server, when MONGODB_URL is set:
 *   docker compose up -d mongodb
 *   MONGODB_URL='mongodb://localhost:27017' npx mocha test/contracts/mongodb.contract.test.ts
 * Each run uses its own database, dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { allProjections } from '../../src/projections/index.js';
import { MongoReadModel } from '../../src/stores/mongodb/mongoReadModel.js';
import { readModelContract } from './readModelContract.js';

const url = process.env.MONGODB_URL?.trim();

if (url) {
  readModelContract('mongodb', async (projections) => {
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
    await client.connect();
    const db = client.db(`sessions_contract_${randomUUID().replace(/-/g, '').slice(0, 12)}`);
    const readModel = new MongoReadModel(db, client);
    await readModel.ensureIndexes([...allProjections, ...projections]);
    return {
      readModel,
      cleanup: async () => {
        await db.dropDatabase();
        await readModel.close();
      },
    };
  });
} else {
  describe('ReadModelStore contract: mongodb', function () {
    before(function () {
      console.log("      skipped: set MONGODB_URL (e.g. 'mongodb://localhost:27017') to run the ReadModelStore contract against MongoDB");
      this.skip();
    });
    it('passes the ReadModelStore contract against a real MongoDB server', () => undefined);
  });
}

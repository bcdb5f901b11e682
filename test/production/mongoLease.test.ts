/**
 * The projector lease against a real MongoDB, when MONGODB_URL is set (skipped otherwise):
 *   MONGODB_URL='mongodb://localhost:27017' npx mocha test/production/mongoLease.test.ts
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { MongoClient, type Db } from 'mongodb';
import { MongoLease } from '../../src/stores/mongodb/mongoLease.js';
import { Resources } from '../support/resources.js';

const url = process.env.MONGODB_URL?.trim();

describe('the projector lease in MongoDB', function () {
  const opened = new Resources();
  let db: Db;

  before(async function () {
    if (!url) {
      console.log("      skipped: set MONGODB_URL (e.g. 'mongodb://localhost:27017') to run the lease tests against MongoDB");
      this.skip();
    }
    const client = opened.add(new MongoClient(url, { serverSelectionTimeoutMS: 5000 }), (mongo) => mongo.close());
    await client.connect();
    db = opened.add(client.db(`sessions_lease_${randomUUID().replace(/-/g, '').slice(0, 12)}`), (d) => d.dropDatabase());
  });
  after(() => opened.close());

  const name = () => `lease_${randomUUID().replace(/-/g, '').slice(0, 12)}`;

  it('lets one owner hold it: the holder renews, another owner is refused until it is released', async () => {
    const lease = name();
    const a = new MongoLease(db, lease, 'owner-a', 30_000);
    const b = new MongoLease(db, lease, 'owner-b', 30_000);
    expect(await a.tryAcquire()).to.equal(true);
    expect(await b.tryAcquire()).to.equal(false);
    expect(await a.tryAcquire()).to.equal(true);
    expect((await a.holder())?.owner).to.equal('owner-a');
    await b.release(); // not the holder: changes nothing
    expect(await b.tryAcquire()).to.equal(false);
    await a.release();
    expect(await b.tryAcquire()).to.equal(true);
    expect(await a.tryAcquire()).to.equal(false);
  });

  it('lets another owner take it over once it expires, after which the old holder cannot renew', async () => {
    const lease = name();
    const a = new MongoLease(db, lease, 'owner-a', 300);
    const b = new MongoLease(db, lease, 'owner-b', 30_000);
    expect(await a.tryAcquire()).to.equal(true);
    expect(await b.tryAcquire()).to.equal(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await b.tryAcquire()).to.equal(true);
    expect(await a.tryAcquire()).to.equal(false);
    expect((await b.holder())?.owner).to.equal('owner-b');
  });

  it('gives the lease to exactly one of many owners racing for it', async () => {
    const lease = name();
    const owners = Array.from({ length: 8 }, (_, i) => new MongoLease(db, lease, `owner-${i}`, 30_000));
    const results = await Promise.all(owners.map((owner) => owner.tryAcquire()));
    expect(results.filter(Boolean)).to.have.length(1);
  });
});

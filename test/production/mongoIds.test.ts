/**
 * Ids are validated before they reach a MongoDB filter. The read model here points at a port where
 * nothing listens, with a short server-selection timeout: a query that reached the driver would
 * fail with a connection error, so a plain answer proves that no filter was built.
 */
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { StoreUnavailableError } from '../../src/errors.js';
import { InvalidIdError, isSafeId } from '../../src/stores/mongodb/ids.js';
import { MongoReadModel } from '../../src/stores/mongodb/mongoReadModel.js';

describe('MongoDB read model id validation', () => {
  let client: MongoClient;
  let readModel: MongoReadModel;
  const workspaceId = 'a'.repeat(24);

  before(() => {
    client = new MongoClient('mongodb://127.0.0.1:9', { serverSelectionTimeoutMS: 300 });
    readModel = new MongoReadModel(client.db('never_connected'), client);
  });
  after(async () => {
    await readModel.close();
  });

  const injections: unknown[] = [{ $gt: '' }, { $ne: null }, ['a'.repeat(24)], '$where', 'a.b', '', 'x'.repeat(129), 42, null];

  it('accepts ObjectIds and simple tokens only', () => {
    expect(isSafeId('65a1f0c2e4b0a1b2c3d4e5f6')).to.equal(true);
    expect(isSafeId('ws_01-abc')).to.equal(true);
    for (const value of injections) expect(isSafeId(value), JSON.stringify(value)).to.equal(false);
  });

  it('answers "not found" to find with an operator object or malformed id, without querying', async () => {
    for (const value of injections) {
      expect(await readModel.find('sessions', workspaceId, value as string)).to.equal(null);
      expect(await readModel.find('sessions', value as string, workspaceId)).to.equal(null);
    }
  });

  it('drops malformed ids from findMany and answers an empty list without querying', async () => {
    expect(await readModel.findMany('services', workspaceId, injections as string[])).to.deep.equal([]);
    expect(await readModel.findMany('services', { $gt: '' } as unknown as string, [workspaceId])).to.deep.equal([]);
  });

  it('rejects a projection name that is not an id before reading its checkpoint', async () => {
    let caught: unknown;
    try {
      await readModel.checkpoint({ $gt: '' } as unknown as string);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(InvalidIdError);
  });

  it('reaches the driver for a well-formed id (so the answers above did not come from a dead client)', async () => {
    let caught: unknown;
    try {
      await readModel.find('sessions', workspaceId, 'b'.repeat(24));
    } catch (error) {
      caught = error;
    }
    expect(caught, 'the query should have tried to reach the server').to.be.instanceOf(StoreUnavailableError);
    expect(((caught as Error).cause as Error).name).to.match(/^Mongo/);
  });
});

/**
 * A KurrentDB outage as the API answers it: every call of the command and read paths that finds
 * no server becomes a StoreUnavailableError (503 with Retry-After, as ./mongoOutage.test.ts shows
 * over HTTP), not an unknown error (500). A real client against a port where nothing listens.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { StoreUnavailableError } from '../../src/errors.js';
import type { EventToAppend } from '../../src/stores/eventStore.js';
import { KurrentEventStore } from '../../src/stores/kurrentdb/kurrentEventStore.js';

const event = (): EventToAppend => ({
  type: 'WorkspaceCreated',
  data: { name: 'x' },
  metadata: {
    eventId: randomUUID(),
    occurredAt: '2024-01-01T00:00:00.000Z',
    actor: { userId: 'u' },
    workspaceId: 'w'.repeat(24),
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
});

const failure = async (attempt: () => Promise<unknown>): Promise<unknown> => {
  try {
    await attempt();
  } catch (error) {
    return error;
  }
  throw new Error('the call should have failed: nothing listens on port 9');
};

describe('calling KurrentDB while it is down', () => {
  let store: KurrentEventStore;
  before(() => {
    store = KurrentEventStore.fromConnectionString('kurrentdb://127.0.0.1:9?tls=false');
  });
  after(() => store.close());

  const calls: [string, () => Promise<unknown>][] = [
    ['readStream', () => store.readStream('workspace-x')],
    ['append', () => store.append(`workspace-${randomUUID()}`, [event()], 'no_stream')],
    [
      'appendMany',
      () =>
        store.appendMany([
          { streamId: `workspace-${randomUUID()}`, events: [event()], expected: 'no_stream' },
          { streamId: `client-${randomUUID()}`, events: [event()], expected: 'no_stream' },
        ]),
    ],
    // The first event asked for is the first read from the server.
    ['readAll', () => store.readAll()[Symbol.asyncIterator]().next()],
    ['headPosition', () => store.headPosition()],
  ];
  for (const [name, call] of calls) {
    it(`answers ${name} with a StoreUnavailableError naming KurrentDB, keeping the driver's error as its cause`, async () => {
      const error = await failure(call);
      expect(error).to.be.instanceOf(StoreUnavailableError);
      expect((error as StoreUnavailableError).status).to.equal(503);
      expect((error as Error).message).to.include('KurrentDB');
      expect((error as Error).cause).to.be.instanceOf(Error);
    });
  }

  it("leaves ping alone, so that start-up reports the driver's own message", async () => {
    const error = await failure(() => store.ping());
    expect(error).to.not.be.instanceOf(StoreUnavailableError);
    expect((error as Error).message).to.match(/unavailable|UNAVAILABLE/i);
  });
});

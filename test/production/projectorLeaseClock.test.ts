/**
 * The projector's lease deadline runs on a monotonic clock: a holder whose renewals stopped
 * stops writing once its lease time has passed, even if the wall clock was stepped back meanwhile
 * (NTP, a VM restored from a snapshot). Real projections, a real SQLite read model, a scripted
 * subscription and a lease whose answers the test chooses.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { AsyncProjector } from '../../src/projections/asyncProjector.js';
import type { EventSubscription, Lease, SubscriptionSource } from '../../src/projections/ports.js';
import { allProjections } from '../../src/projections/index.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

const workspaceCreated = (position: bigint, workspaceId: string): StoredEvent => ({
  type: 'WorkspaceCreated',
  data: { workspaceId, name: `Clinic ${position}`, timeZone: 'UTC' },
  metadata: {
    eventId: `event-${position}`,
    occurredAt: '2024-01-15T10:00:00.000Z',
    actor: { userId: 'user-1' },
    workspaceId,
    requestId: 'req',
    correlationId: 'corr',
    schemaVersion: 1,
  },
  streamId: `workspace-${workspaceId}`,
  revision: 0n,
  position,
});

describe('the projector lease deadline', () => {
  let dir: string;
  let readModel: SqliteStore;
  const realDateNow = Date.now;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-lease-clock-'));
    readModel = new SqliteStore({ path: path.join(dir, 'read.db') });
  });
  afterEach(async () => {
    Date.now = realDateNow;
    await readModel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes on the monotonic clock: a wall clock stepped back does not let the holder write after its lease time', async () => {
    const ttlMs = 15_000;
    let monotonic = 1_000;
    const [first, second] = ['1'.repeat(24), '2'.repeat(24)];
    let acquisitions = 0;
    let retriedLease!: () => void;
    const retried = new Promise<void>((resolve) => (retriedLease = resolve));
    const lease: Lease = {
      tryAcquire: async () => {
        acquisitions += 1;
        if (acquisitions === 1) return true;
        retriedLease();
        return false;
      },
      release: async () => undefined,
    };
    const source: SubscriptionSource = {
      subscribe: (): EventSubscription => ({
        async *[Symbol.asyncIterator]() {
          yield [workspaceCreated(1n, first)];
          // No renewal happened (the timer is far off); the lease time passes on the monotonic
          // clock while the wall clock is stepped back an hour.
          monotonic += ttlMs + 1;
          const steppedBack = realDateNow() - 3_600_000;
          Date.now = () => steppedBack;
          yield [workspaceCreated(2n, second)];
          await new Promise(() => undefined);
        },
        close: async () => undefined,
      }),
    };
    const projector = new AsyncProjector({
      name: 'lease-clock',
      source,
      readModel,
      projections: allProjections,
      logger: pino({ level: 'silent' }),
      lease: { lease, ttlMs, renewEveryMs: 3_600_000, retryEveryMs: 3_600_000 },
      monotonicNow: () => monotonic,
      // Waits until the projector is stopped, however long it was asked to wait.
      sleep: (_ms, signal) =>
        signal.aborted
          ? Promise.resolve()
          : new Promise<void>((resolve) => {
              signal.addEventListener('abort', () => {
                resolve();
              });
            }),
    });
    projector.start();
    await retried;
    Date.now = realDateNow;
    await projector.stop();

    expect(await readModel.find('workspaces', first, first)).to.deep.include({ name: 'Clinic 1' });
    expect(await readModel.find('workspaces', second, second), 'written after the lease expired').to.equal(null);
    expect(await readModel.checkpoint('workspaces')).to.equal(1n);
    expect(projector.status()).to.deep.include({ holdsLease: false, lastApplied: '1' });
  });
});

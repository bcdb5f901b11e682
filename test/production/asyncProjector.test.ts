/**
 * The async projector's subscription loop against a scripted subscription source: a stand-in for
 * the KurrentDB server (events, drops, silence), with the real projections and a real SQLite read
 * model. The back-off sleeps are recorded instead of waited.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import type { WorkspaceCreated } from '../../src/events/index.js';
import { projectableOnly } from '../../src/profiles/production.js';
import { AsyncProjector, backoffDelay } from '../../src/projections/asyncProjector.js';
import { allProjections } from '../../src/projections/index.js';
import type { EventSubscription, SubscriptionSource } from '../../src/projections/ports.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

type Step = { batch: StoredEvent[] } | { fail: string } | { end: true } | { silence: true };

const silentLogger = pino({ level: 'silent' });

let idCounter = 0;
const newWorkspaceId = (): string => {
  idCounter += 1;
  return `${idCounter.toString(16).padStart(8, '0')}${'c'.repeat(16)}`;
};

const workspaceCreated = (position: bigint, workspaceId: string, name = `Clinic ${position}`): StoredEvent => {
  const event: WorkspaceCreated = {
    type: 'WorkspaceCreated',
    data: { workspaceId, name, timeZone: 'UTC' },
    metadata: {
      eventId: `event-${position}`,
      occurredAt: '2024-01-15T10:00:00.000Z',
      actor: { userId: 'user-1' },
      workspaceId,
      requestId: 'req',
      correlationId: 'corr',
      schemaVersion: 1,
    },
  };
  return { ...event, streamId: `workspace-${workspaceId}`, revision: 0n, position };
};

/** Plays one script per subscription; records where each subscription started and how it ended. */
class ScriptedServer implements SubscriptionSource {
  readonly afters: (bigint | undefined)[] = [];
  closes = 0;
  /** Batches handed out before the previous one was stored: must stay empty. */
  readonly outOfOrder: string[] = [];
  private silentWaiters: (() => void)[] = [];
  private silentCount = 0;

  constructor(
    private readonly scripts: Step[][],
    private readonly readModel: SqliteStore,
  ) {}

  /** Resolves once `count` subscriptions have gone silent (waiting for events that do not come). */
  async silent(count = 1): Promise<void> {
    while (this.silentCount < count) await new Promise<void>((resolve) => this.silentWaiters.push(resolve));
  }

  subscribe(after: bigint | undefined): EventSubscription {
    this.afters.push(after);
    const steps = this.scripts.shift() ?? [{ silence: true }];
    let onClose!: () => void;
    const closed = new Promise<void>((resolve) => (onClose = resolve));
    return {
      [Symbol.asyncIterator]: () => this.play(steps, closed),
      close: async () => {
        this.closes += 1;
        onClose();
      },
    };
  }

  private async *play(steps: Step[], closed: Promise<void>): AsyncGenerator<StoredEvent[]> {
    let previousLast: bigint | undefined;
    for (const step of steps) {
      if ('batch' in step) {
        if (previousLast !== undefined) {
          const stored = await this.readModel.checkpoint('workspaces');
          if (stored !== previousLast) this.outOfOrder.push(`next batch asked with checkpoint ${String(stored)} before ${previousLast}`);
        }
        previousLast = step.batch[step.batch.length - 1]!.position;
        yield step.batch;
      } else if ('fail' in step) {
        throw new Error(step.fail);
      } else if ('end' in step) {
        return;
      } else {
        this.silentCount += 1;
        for (const wake of this.silentWaiters.splice(0)) wake();
        await closed;
        return;
      }
    }
  }
}

describe('the async projector', () => {
  let dir: string;
  let readModel: SqliteStore;
  let projector: AsyncProjector | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-projector-'));
    readModel = new SqliteStore({ path: path.join(dir, 'read.db') });
  });
  afterEach(async () => {
    await projector?.stop();
    projector = undefined;
    await readModel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const start = (
    server: ScriptedServer,
    options: {
      backoff?: { initialMs: number; maxMs: number };
      delays?: number[];
      realSleep?: boolean;
      prepare?: (e: StoredEvent) => StoredEvent | null;
    } = {},
  ) => {
    projector = new AsyncProjector({
      name: 'test',
      source: server,
      readModel,
      projections: allProjections,
      logger: silentLogger,
      backoff: options.backoff ?? { initialMs: 100, maxMs: 300 },
      ...(options.realSleep
        ? {}
        : {
            sleep: async (ms: number) => {
              options.delays?.push(ms);
            },
          }),
      ...(options.prepare ? { prepare: options.prepare } : {}),
    });
    projector.start();
    return projector;
  };

  it('applies batches in log order, asking for the next batch only after the previous one is stored', async () => {
    const ids = [newWorkspaceId(), newWorkspaceId(), newWorkspaceId(), newWorkspaceId()];
    const server = new ScriptedServer(
      [
        [
          { batch: [workspaceCreated(1n, ids[0]!), workspaceCreated(2n, ids[1]!)] },
          { batch: [workspaceCreated(3n, ids[2]!)] },
          { batch: [workspaceCreated(4n, ids[3]!)] },
          { silence: true },
        ],
      ],
      readModel,
    );
    start(server);
    await server.silent();
    expect(server.outOfOrder).to.deep.equal([]);
    expect(server.afters).to.deep.equal([undefined]);
    for (const [i, id] of ids.entries()) expect(await readModel.find('workspaces', id, id)).to.deep.include({ name: `Clinic ${i + 1}` });
    for (const projection of allProjections) expect(await readModel.checkpoint(projection.name)).to.equal(4n);
    expect(projector!.status()).to.deep.include({ state: 'subscribed', lastApplied: '4', resubscriptions: 0 });
  });

  it('resubscribes from the stored checkpoint after each drop, backing off 100, 200, 300 (cap) ms and starting over after progress', async () => {
    const [a, b, c] = [newWorkspaceId(), newWorkspaceId(), newWorkspaceId()];
    const delays: number[] = [];
    const server = new ScriptedServer(
      [
        [{ batch: [workspaceCreated(1n, a), workspaceCreated(2n, b)] }, { fail: 'connection reset' }],
        [{ fail: 'unavailable' }],
        [{ fail: 'unavailable' }],
        [{ fail: 'unavailable' }],
        [{ batch: [workspaceCreated(3n, c)] }, { end: true }],
        [{ silence: true }],
      ],
      readModel,
    );
    start(server, { delays });
    await server.silent();
    expect(server.afters).to.deep.equal([undefined, 2n, 2n, 2n, 2n, 3n]);
    expect(delays).to.deep.equal([100, 200, 300, 300, 100]);
    expect(await readModel.find('workspaces', c, c)).to.deep.include({ name: 'Clinic 3' });
    expect(await readModel.checkpoint('sessions')).to.equal(3n);
    // Every dropped subscription was closed before the next one was opened.
    expect(server.closes).to.equal(5);
    expect(projector!.status()).to.deep.include({ resubscriptions: 5, lastError: 'subscription ended' });
  });

  it('changes nothing when the server delivers an already applied event again after a resubscription', async () => {
    const [a, b] = [newWorkspaceId(), newWorkspaceId()];
    const server = new ScriptedServer(
      [
        [{ batch: [workspaceCreated(1n, a)] }, { fail: 'dropped' }],
        // At-least-once: the event at position 1 comes again, here with different data.
        [{ batch: [workspaceCreated(1n, a, 'Replayed name'), workspaceCreated(2n, b)] }, { silence: true }],
      ],
      readModel,
    );
    start(server);
    await server.silent();
    expect(await readModel.find('workspaces', a, a)).to.deep.include({ name: 'Clinic 1' });
    expect(await readModel.find('workspaces', b, b)).to.deep.include({ name: 'Clinic 2' });
    expect(await readModel.checkpoint('workspaces')).to.equal(2n);
  });

  it('starts from the checkpoint already stored in the read model', async () => {
    const [a, b] = [newWorkspaceId(), newWorkspaceId()];
    await readModel.apply(allProjections, [workspaceCreated(7n, a)]);
    const server = new ScriptedServer([[{ batch: [workspaceCreated(9n, b)] }, { silence: true }]], readModel);
    start(server);
    await server.silent();
    expect(server.afters).to.deep.equal([7n]);
    expect(await readModel.checkpoint('clients')).to.equal(9n);
  });

  it('stops at once while backing off, and closes a silent subscription when stopped', async () => {
    const server = new ScriptedServer([[{ fail: 'down' }]], readModel);
    // A real, abortable sleep of 10 minutes: stop() must not wait for it.
    const running = start(server, { backoff: { initialMs: 600_000, maxMs: 600_000 }, realSleep: true });
    while (running.status().state !== 'backing-off') await new Promise((resolve) => setTimeout(resolve, 5));
    await running.stop();
    expect(running.status().state).to.equal('stopped');
    expect(server.afters).to.have.length(1);

    const quiet = new ScriptedServer([[{ silence: true }]], readModel);
    const second = start(quiet);
    await quiet.silent();
    await second.stop();
    expect(quiet.closes).to.equal(1);
    expect(second.status().state).to.equal('stopped');
  });

  it('moves the checkpoints past events the prepare step skips, even at the end of a batch', async () => {
    const [a, b] = [newWorkspaceId(), newWorkspaceId()];
    const server = new ScriptedServer([[{ batch: [workspaceCreated(1n, a), workspaceCreated(2n, b)] }, { silence: true }]], readModel);
    start(server, { prepare: (event) => (event.position === 2n ? null : event) });
    await server.silent();
    expect(await readModel.find('workspaces', a, a)).to.not.equal(null);
    expect(await readModel.find('workspaces', b, b)).to.equal(null);
    expect(await readModel.checkpoint('workspaces')).to.equal(2n);
  });
});

describe('what the production projector applies', () => {
  let dir: string;
  let readModel: SqliteStore;
  let projector: AsyncProjector | undefined;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-projector-'));
    readModel = new SqliteStore({ path: path.join(dir, 'read.db') });
  });
  afterEach(async () => {
    await projector?.stop();
    await readModel.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('upcasts a v1 SessionCreated before projecting it, and skips an unknown event type with one warning', async () => {
    const workspaceId = newWorkspaceId();
    const sessionId = 'f'.repeat(24);
    const v1: StoredEvent = {
      streamId: `session-${sessionId}`,
      revision: 0n,
      position: 2n,
      type: 'SessionCreated',
      data: {
        sessionId,
        workspaceId,
        name: 'Follow-up',
        clientId: 'a'.repeat(24),
        clientName: 'John Doe',
        serviceIds: ['b'.repeat(24)],
        serviceNames: ['فحص عام'],
        staffId: null,
        staffName: null,
        date: '2024-01-20T00:00:00.000Z',
        startTime: '10:00',
        endTime: '11:00',
        durationMinutes: 60,
        status: 'scheduled',
        fieldValues: [{ fieldKey: 'weight', value: 70 }],
      },
      metadata: { ...workspaceCreated(1n, workspaceId).metadata, eventId: 'v1-session', schemaVersion: 1 },
    };
    const unknown: StoredEvent = {
      ...workspaceCreated(3n, workspaceId),
      type: 'SessionTeleportedByLegacyTool',
      metadata: { ...v1.metadata, eventId: 'unknown' },
    };
    const lines: { level: number; msg: string }[] = [];
    const logger = pino(
      { level: 'warn' },
      { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) },
    );
    const server = new ScriptedServer(
      [[{ batch: [workspaceCreated(1n, workspaceId), v1, unknown] }, { batch: [{ ...unknown, position: 4n }] }, { silence: true }]],
      readModel,
    );
    projector = new AsyncProjector({
      name: 'test',
      source: server,
      readModel,
      projections: allProjections,
      logger: silentLogger,
      prepare: projectableOnly(logger),
    });
    projector.start();
    await server.silent();
    expect(await readModel.find('sessions', workspaceId, sessionId)).to.deep.include({
      name: 'Follow-up',
      serviceNames: ['فحص عام'],
      durationMinutes: 60,
      fieldValues: [{ fieldKey: 'weight', value: 70, phase: 'pre' }],
    });
    expect(await readModel.checkpoint('sessions')).to.equal(4n);
    expect(lines.filter((line) => line.level === 40).map((line) => line.msg)).to.deep.equal([
      'projector skips SessionTeleportedByLegacyTool v1 events: unknown event type',
    ]);
  });
});

describe('projector back-off', () => {
  it('doubles from the initial delay and stays at the cap', () => {
    const backoff = { initialMs: 250, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffDelay(attempt, backoff))).to.deep.equal([
      250, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000,
    ]);
    expect(backoffDelay(10_000, backoff)).to.equal(30_000);
  });
});

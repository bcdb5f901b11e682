/**
 * The one command path, on a real SQLite store, with a small aggregate of its own (a tally that
 * can be opened and bumped): creates and changes, idempotent repeats found in the stream,
 * If-Match preconditions, and concurrent changes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { pino } from 'pino';
import { ObjectId } from 'bson';
import type { Decider } from '../../src/commands/decider.js';
import { handleCommand, type AggregateCommand, type CommandDeps, type CommandRequest } from '../../src/commands/handle.js';
import { StreamLocks } from '../../src/commands/streamLocks.js';
import type { Event, EventMetadata } from '../../src/events/envelope.js';
import { BusinessRuleError } from '../../src/errors.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { expectAppError } from '../support/specification.js';

type TallyEvent = Event<'TallyOpened', { id: string }> | Event<'TallyBumped', { id: string; by: number }>;
type TallyCommand =
  { type: 'Open'; id: string; metadata: EventMetadata } | { type: 'Bump'; id: string; by: number; metadata: EventMetadata };
type TallyState = { total: number } | null;

const tally: Decider<TallyCommand, TallyEvent, TallyState, { limit: number }> = {
  initialState: () => null,
  evolve: (state, event) => (event.type === 'TallyOpened' ? { total: 0 } : { total: state!.total + event.data.by }),
  decide: (command, state, context) => {
    if (command.type === 'Open')
      return [{ type: 'TallyOpened', data: { id: command.id }, metadata: { ...command.metadata, schemaVersion: 1 } }];
    if (command.by === 0) return [];
    if (state!.total + command.by > context.limit) throw new BusinessRuleError(`over the limit of ${context.limit}`);
    return [{ type: 'TallyBumped', data: { id: command.id, by: command.by }, metadata: { ...command.metadata, schemaVersion: 1 } }];
  },
};

describe('the command path (handleCommand)', () => {
  let dir: string;
  let store: SqliteStore;
  let deps: CommandDeps;
  const workspaceId = new ObjectId().toHexString();

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handle-'));
    store = new SqliteStore({ path: path.join(dir, 'db.sqlite') });
    deps = {
      events: store,
      readModel: store,
      clock: () => new Date('2024-05-01T08:00:00.000Z'),
      ids: { objectId: () => new ObjectId().toHexString(), uuid: randomUUID },
      logger: pino({ level: 'silent' }),
      locks: new StreamLocks(),
    };
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (): AggregateCommand<TallyCommand, TallyEvent, TallyState, { limit: number }> => ({
    kind: 'tally',
    decider: tally,
    stream: (id) => `tally-${id}`,
    workspaceOf: () => workspaceId,
    target: { create: true },
    lookup: async () => ({ limit: 10 }),
    command: (id, metadata) => ({ type: 'Open', id, metadata }),
  });
  const bump = (id: string, by: number, retries = 0): AggregateCommand<TallyCommand, TallyEvent, TallyState, { limit: number }> => ({
    ...open(),
    target: { create: false, id, label: 'Tally' },
    command: (tallyId, metadata) => ({ type: 'Bump', id: tallyId, by, metadata }),
    retries,
  });
  const request = (overrides: Partial<CommandRequest> = {}): CommandRequest => ({
    context: { actor: { userId: 'u1' }, requestId: randomUUID(), correlationId: 'c' },
    scope: workspaceId,
    body: {},
    ...overrides,
  });
  const rejected = async (run: Promise<unknown>) => {
    try {
      await run;
    } catch (error) {
      return error;
    }
    throw new Error('expected a rejection');
  };

  it('creates with expected revision "no stream" and answers the new version and position', async () => {
    const outcome = await handleCommand(deps, open(), request());
    expect(outcome).to.deep.include({ replayed: false, version: 1, streamId: `tally-${outcome.id}`, workspaceId });
    expect(outcome.appended.map((e) => e.type)).to.deep.equal(['TallyOpened']);
    expect(outcome.position).to.equal(await store.headPosition());
  });

  it('changes at the version the client read, and records who, when and which request', async () => {
    const { id } = await handleCommand(deps, open(), request());
    const outcome = await handleCommand(deps, bump(id, 3), request({ expectedVersion: 1, requestId: 'r-bump' } as never));
    expect(outcome.version).to.equal(2);
    const stream = await store.readStream(`tally-${id}`);
    expect(stream.map((e) => [e.type, e.revision])).to.deep.equal([
      ['TallyOpened', 0n],
      ['TallyBumped', 1n],
    ]);
    expect(stream[1]!.metadata).to.deep.include({ occurredAt: '2024-05-01T08:00:00.000Z', actor: { userId: 'u1' }, workspaceId });
  });

  it('answers 404 for a change of an aggregate that does not exist, appending nothing', async () => {
    const error = await rejected(handleCommand(deps, bump(new ObjectId().toHexString(), 1), request({ expectedVersion: 0 })));
    expectAppError(error, { status: 404, detailIncludes: ['Tally'] });
    expect(await store.headPosition()).to.equal(null);
  });

  it('answers 428 when a change that needs If-Match has none, and 412 with the current version when it is stale', async () => {
    const { id } = await handleCommand(deps, open(), request());
    expectAppError(await rejected(handleCommand(deps, bump(id, 1), request({ expectedVersion: null }))), { status: 428 });
    const stale = expectAppError(await rejected(handleCommand(deps, bump(id, 1), request({ expectedVersion: 7 }))), { status: 412 });
    expect(stale.problemExtensions()).to.deep.equal({ currentVersion: 1 });
    expect(stale.problemHeaders()).to.deep.equal({ ETag: '"1"' });
    expect((await store.readStream(`tally-${id}`)).length).to.equal(1);
  });

  it('appends nothing for a change that changes nothing, and answers the current version', async () => {
    const { id } = await handleCommand(deps, open(), request());
    const head = await store.headPosition();
    const outcome = await handleCommand(deps, bump(id, 0), request({ expectedVersion: 1 }));
    expect(outcome).to.deep.include({ version: 1, replayed: false, appended: [] });
    expect(await store.headPosition()).to.equal(head);
  });

  it('answers a repeated Idempotency-Key of a change from the stream, even with a stale If-Match, and appends nothing', async () => {
    const { id } = await handleCommand(deps, open(), request());
    const first = await handleCommand(deps, bump(id, 2), request({ expectedVersion: 1, idempotencyKey: 'k1', body: { by: 2 } }));
    await handleCommand(deps, bump(id, 1), request({ expectedVersion: 2 }));
    const head = await store.headPosition();
    const repeat = await handleCommand(deps, bump(id, 2), request({ expectedVersion: 1, idempotencyKey: 'k1', body: { by: 2 } }));
    expect(repeat).to.deep.include({ replayed: true, version: 2, position: first.position });
    expect(repeat.stream.map((e) => e.type)).to.deep.equal(['TallyOpened', 'TallyBumped']);
    expect(await store.headPosition()).to.equal(head);
    expectAppError(
      await rejected(handleCommand(deps, bump(id, 2), request({ expectedVersion: 3, idempotencyKey: 'k1', body: { by: 5 } }))),
      {
        status: 422,
        code: 'idempotency-key-reused',
      },
    );
  });

  it('lets exactly one of two changes with the same If-Match win; the other gets 412', async () => {
    const { id } = await handleCommand(deps, open(), request());
    const results = await Promise.allSettled([
      handleCommand(deps, bump(id, 1), request({ expectedVersion: 1 })),
      handleCommand(deps, bump(id, 2), request({ expectedVersion: 1 })),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const failure = results.find((r) => r.status === 'rejected')!;
    expectAppError(failure.reason, { status: 412 });
    expect((await store.readStream(`tally-${id}`)).length).to.equal(2);
  });

  it('retries a change without If-Match when the stream moved, deciding again on the new state', async () => {
    const { id } = await handleCommand(deps, open(), request());
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => handleCommand(deps, bump(id, 2, 5), request())));
    expect(outcomes.map((o) => o.version).sort()).to.deep.equal([2, 3, 4, 5, 6]);
    // The limit (10) is checked on the state each retry folded, never on a stale one.
    expectAppError(await rejected(handleCommand(deps, bump(id, 2, 5), request())), { status: 422 });
  });

  it('answers 409 when a change without If-Match loses a race and may not retry', async () => {
    const { id } = await handleCommand(deps, open(), request());
    const results = await Promise.allSettled([handleCommand(deps, bump(id, 1), request()), handleCommand(deps, bump(id, 1), request())]);
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(failures).to.have.length(1);
    expectAppError(failures[0]!.reason, { status: 409 });
  });

  describe('a boundary stream two commands both claim from', () => {
    const boundaryStream = `tally-all-${workspaceId}`;
    /** Opens a tally and counts it in one stream every open shares (a boundary, as a staff member's day is). */
    const openCounted = (): AggregateCommand<TallyCommand, TallyEvent, TallyState, { limit: number }> => ({
      ...open(),
      boundary: {
        streams: () => [boundaryStream],
        decide: (read, { metadata }) => ({
          aggregate: [],
          writes: [
            {
              streamId: boundaryStream,
              events: [
                {
                  type: 'TallyCounted',
                  data: { n: read.get(boundaryStream)!.length },
                  metadata: { ...metadata, schemaVersion: 1 },
                },
              ],
            },
          ],
        }),
      },
    });
    /** Deps whose boundary reads are counted. */
    const counting = (locks: StreamLocks): { deps: CommandDeps; reads: () => number } => {
      let reads = 0;
      const events: CommandDeps['events'] = {
        append: (...args) => store.append(...args),
        appendMany: (writes) => store.appendMany(writes),
        readStream: (streamId) => {
          if (streamId === boundaryStream) reads += 1;
          return store.readStream(streamId);
        },
        readAll: (options) => store.readAll(options),
        headPosition: () => store.headPosition(),
        ping: () => store.ping(),
        close: () => store.close(),
      };
      return { deps: { ...deps, events, locks }, reads: () => reads };
    };

    it('takes turns in one process: each of 10 concurrent commands reads the stream once, after the previous one appended', async () => {
      const { deps: shared, reads } = counting(new StreamLocks());
      await Promise.all(Array.from({ length: 10 }, () => handleCommand(shared, openCounted(), request())));
      expect(reads()).to.equal(10);
      const counted = await store.readStream(boundaryStream);
      expect(counted.map((e) => (e.data as { n: number }).n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(shared.locks.held).to.equal(0);
    });

    it('decides again when another process appended to the stream in between (the store checks the revision)', async () => {
      // Two lock tables on one store: two API processes on one database.
      const first = counting(new StreamLocks());
      const second = counting(new StreamLocks());
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => handleCommand(i % 2 === 0 ? first.deps : second.deps, openCounted(), request())),
      );
      expect(first.reads() + second.reads()).to.be.greaterThan(10);
      const counted = await store.readStream(boundaryStream);
      expect(counted.map((e) => (e.data as { n: number }).n)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('gives the turn on to the next command when a decision fails', async () => {
      const failing: AggregateCommand<TallyCommand, TallyEvent, TallyState, { limit: number }> = {
        ...openCounted(),
        boundary: {
          streams: () => [boundaryStream],
          decide: () => {
            throw new BusinessRuleError('refused');
          },
        },
      };
      const results = await Promise.allSettled([
        handleCommand(deps, failing, request()),
        handleCommand(deps, openCounted(), request()),
        handleCommand(deps, failing, request()),
        handleCommand(deps, openCounted(), request()),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'fulfilled', 'rejected', 'fulfilled']);
      expect((await store.readStream(boundaryStream)).length).to.equal(2);
      expect(deps.locks.held).to.equal(0);
    });
  });
});

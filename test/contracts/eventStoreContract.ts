/**
 * The EventStore port's contract, run against every adapter. The store may be shared with other
 * runs (a real KurrentDB server), so nothing here assumes an empty log: streams and workspaces
 * get random ids, and the log is read from the head as it was before the test, filtered to the
 * test's own streams.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventMetadata } from '../../src/events/envelope.js';
import {
  ConcurrencyError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type StoredEvent,
} from '../../src/stores/eventStore.js';

export interface OpenedEventStore {
  store: EventStore;
  cleanup(): Promise<void>;
}

const suffix = (): string => randomUUID().replace(/-/g, '').slice(0, 16);
const streamId = (kind = 'contract'): string => `${kind}-${suffix()}`;

const metadata = (workspaceId: string, overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt: new Date().toISOString(),
  actor: { userId: 'contract-user', name: 'Contract User' },
  workspaceId,
  requestId: `req-${suffix()}`,
  correlationId: `corr-${suffix()}`,
  schemaVersion: 1,
  ...overrides,
});

const event = (workspaceId: string, type = 'ContractThingHappened', data: unknown = { n: 0 }): EventToAppend => ({
  type,
  data,
  metadata: metadata(workspaceId),
});

const events = (workspaceId: string, count: number, type = 'ContractThingHappened'): EventToAppend[] =>
  Array.from({ length: count }, (_, n) => event(workspaceId, type, { n }));

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

const expectConcurrencyError = async (
  attempt: Promise<unknown>,
  expected: { streamId: string; expected: ExpectedRevision; actual: bigint | 'no_stream' },
): Promise<void> => {
  let caught: unknown;
  try {
    await attempt;
  } catch (error) {
    caught = error;
  }
  expect(caught, 'the append should have been rejected').to.be.instanceOf(ConcurrencyError);
  const error = caught as ConcurrencyError;
  expect(error.code).to.equal('concurrency');
  expect(error.streamId).to.equal(expected.streamId);
  expect(error.expected).to.equal(expected.expected);
  expect(error.actual).to.equal(expected.actual);
};

export const eventStoreContract = (adapterName: string, open: () => Promise<OpenedEventStore>): void => {
  describe(`EventStore contract: ${adapterName}`, () => {
    /** Unset when `before` failed: `after` runs all the same. */
    let opened: OpenedEventStore | undefined;
    let store: EventStore;
    let workspaceId: string;
    /** The head before each test: the test's own events come strictly after it. */
    let startHead: bigint | null;

    before(async () => {
      opened = await open();
      store = opened.store;
    });
    after(async () => {
      await opened?.cleanup();
    });
    beforeEach(async () => {
      workspaceId = `ws${suffix()}`;
      startHead = await store.headPosition();
    });

    /** The log after the test's start, optionally filtered further. */
    const readMine = async (options: { pageSize?: number; types?: string[]; streams?: string[] } = {}): Promise<StoredEvent[]> => {
      const all = await collect(
        store.readAll({
          ...(startHead === null ? {} : { after: startHead }),
          ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
          ...(options.types === undefined ? {} : { types: options.types }),
        }),
      );
      return all.filter(
        (e) => e.metadata.workspaceId === workspaceId && (options.streams === undefined || options.streams.includes(e.streamId)),
      );
    };

    describe('append', () => {
      it('creates a stream with expected "no_stream", revisions 0-based, returning the last revision and position', async () => {
        const id = streamId();
        const result = await store.append(id, events(workspaceId, 3), 'no_stream');
        expect(typeof result.nextRevision).to.equal('bigint');
        expect(typeof result.position).to.equal('bigint');
        expect(result.nextRevision).to.equal(2n);
        const stored = await store.readStream(id);
        expect(stored.map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
        expect(stored[2]!.position).to.equal(result.position);
        if (startHead !== null) expect(result.position > startHead).to.equal(true);
      });

      it('stores type, data and the complete metadata as given', async () => {
        const id = streamId();
        const toAppend = event(workspaceId, 'ContractThingHappened', {
          text: 'استشارة طبية',
          nested: { list: [1, 'a', null, true] },
          n: 1.5,
        });
        toAppend.metadata = { ...toAppend.metadata, idempotencyKey: 'key-1', requestHash: 'abc' };
        await store.append(id, [toAppend], 'no_stream');
        const [stored] = await store.readStream(id);
        expect(stored!.streamId).to.equal(id);
        expect(stored!.type).to.equal('ContractThingHappened');
        expect(stored!.data).to.deep.equal(toAppend.data);
        expect(stored!.metadata).to.deep.equal(toAppend.metadata);
      });

      it('appends at an exact expected revision (the revision of the last event)', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 2), 'no_stream');
        const result = await store.append(id, events(workspaceId, 2), 1n);
        expect(result.nextRevision).to.equal(3n);
        expect((await store.readStream(id)).map((e) => e.revision)).to.deep.equal([0n, 1n, 2n, 3n]);
      });

      it('appends with "any" to a new and to an existing stream', async () => {
        const id = streamId();
        expect((await store.append(id, events(workspaceId, 1), 'any')).nextRevision).to.equal(0n);
        expect((await store.append(id, events(workspaceId, 1), 'any')).nextRevision).to.equal(1n);
        expect(await store.readStream(id)).to.have.length(2);
      });

      it('appends with "stream_exists" to an existing stream', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 1), 'no_stream');
        expect((await store.append(id, events(workspaceId, 1), 'stream_exists')).nextRevision).to.equal(1n);
      });

      it('rejects "no_stream" on an existing stream with a ConcurrencyError and writes nothing', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 2), 'no_stream');
        const head = await store.headPosition();
        await expectConcurrencyError(store.append(id, events(workspaceId, 1), 'no_stream'), {
          streamId: id,
          expected: 'no_stream',
          actual: 1n,
        });
        expect(await store.readStream(id)).to.have.length(2);
        expect(await readMine({ streams: [id] })).to.have.length(2);
        if (head !== null) expect((await store.headPosition())! >= head).to.equal(true);
      });

      it('rejects a stale exact revision with a ConcurrencyError and writes nothing', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 2), 'no_stream');
        await expectConcurrencyError(store.append(id, events(workspaceId, 1), 0n), { streamId: id, expected: 0n, actual: 1n });
        await expectConcurrencyError(store.append(id, events(workspaceId, 1), 5n), { streamId: id, expected: 5n, actual: 1n });
        expect((await store.readStream(id)).map((e) => e.revision)).to.deep.equal([0n, 1n]);
      });

      it('rejects an exact revision or "stream_exists" on a missing stream (actual "no_stream") and writes nothing', async () => {
        const id = streamId();
        await expectConcurrencyError(store.append(id, events(workspaceId, 1), 0n), { streamId: id, expected: 0n, actual: 'no_stream' });
        await expectConcurrencyError(store.append(id, events(workspaceId, 1), 'stream_exists'), {
          streamId: id,
          expected: 'stream_exists',
          actual: 'no_stream',
        });
        expect(await store.readStream(id)).to.deep.equal([]);
        expect(await readMine()).to.deep.equal([]);
      });

      it('writes all events of a rejected multi-event append or none', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 1), 'no_stream');
        await expectConcurrencyError(store.append(id, events(workspaceId, 5), 'no_stream'), {
          streamId: id,
          expected: 'no_stream',
          actual: 0n,
        });
        expect(await readMine()).to.have.length(1);
      });

      it('does not duplicate a retried append with the same event ids ("no_stream")', async () => {
        const id = streamId();
        const batch = events(workspaceId, 2);
        const first = await store.append(id, batch, 'no_stream');
        const retry = await store.append(id, batch, 'no_stream');
        expect(retry.nextRevision).to.equal(first.nextRevision);
        expect(await store.readStream(id)).to.have.length(2);
        expect(await readMine()).to.have.length(2);
      });

      it('does not duplicate a retried append with the same event ids (exact revision)', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 1), 'no_stream');
        const batch = events(workspaceId, 2);
        const first = await store.append(id, batch, 0n);
        const retry = await store.append(id, batch, 0n);
        expect(retry.nextRevision).to.equal(first.nextRevision);
        expect((await store.readStream(id)).map((e) => e.metadata.eventId)).to.have.length(3);
      });

      it('lets exactly one of concurrent appends at the same expected revision win', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 1), 'no_stream');
        const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => store.append(id, events(workspaceId, 1), 0n)));
        const won = attempts.filter((a): a is PromiseFulfilledResult<AppendResult> => a.status === 'fulfilled');
        const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
        expect(won).to.have.length(1);
        expect(won[0]!.value.nextRevision).to.equal(1n);
        expect(lost).to.have.length(7);
        for (const l of lost) expect(l.reason).to.be.instanceOf(ConcurrencyError);
        expect(await store.readStream(id)).to.have.length(2);
      });

      it('lets exactly one of concurrent "no_stream" appends create the stream', async () => {
        const id = streamId();
        const attempts = await Promise.allSettled(Array.from({ length: 8 }, () => store.append(id, events(workspaceId, 1), 'no_stream')));
        expect(attempts.filter((a) => a.status === 'fulfilled')).to.have.length(1);
        for (const a of attempts) if (a.status === 'rejected') expect(a.reason).to.be.instanceOf(ConcurrencyError);
        expect(await store.readStream(id)).to.have.length(1);
      });

      it('accepts concurrent appends to different streams, giving each a distinct position', async () => {
        const ids = Array.from({ length: 10 }, () => streamId());
        const results = await Promise.all(ids.map((id) => store.append(id, events(workspaceId, 1), 'no_stream')));
        expect(new Set(results.map((r) => r.position.toString())).size).to.equal(10);
        expect(results.every((r) => r.nextRevision === 0n)).to.equal(true);
        expect(await readMine()).to.have.length(10);
      });
    });

    describe('appendMany', () => {
      const rejection = async (attempt: Promise<unknown>): Promise<unknown> => {
        try {
          await attempt;
        } catch (error) {
          return error;
        }
        expect.fail('the multi-stream append should have been rejected');
      };

      it('writes every stream, each at its own expected revision, and answers per stream in the order given', async () => {
        const existing = streamId();
        const fresh = streamId();
        const any = streamId();
        await store.append(existing, events(workspaceId, 2), 'no_stream');
        const results = await store.appendMany([
          { streamId: fresh, events: events(workspaceId, 3), expected: 'no_stream' },
          { streamId: existing, events: events(workspaceId, 1), expected: 1n },
          { streamId: any, events: events(workspaceId, 2), expected: 'any' },
        ]);
        expect(results.map((r) => r.nextRevision)).to.deep.equal([2n, 2n, 1n]);
        const [ofFresh, ofExisting, ofAny] = [await store.readStream(fresh), await store.readStream(existing), await store.readStream(any)];
        expect(ofFresh.map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
        expect(ofExisting.map((e) => e.revision)).to.deep.equal([0n, 1n, 2n]);
        expect(ofAny.map((e) => e.revision)).to.deep.equal([0n, 1n]);
        expect(results[0]!.position).to.equal(ofFresh[2]!.position);
        expect(results[1]!.position).to.equal(ofExisting[2]!.position);
        expect(results[2]!.position).to.equal(ofAny[1]!.position);
      });

      it('gives the written events strictly increasing positions, after everything appended before', async () => {
        const before = await store.append(streamId(), events(workspaceId, 1), 'no_stream');
        const a = streamId();
        const b = streamId();
        const results = await store.appendMany([
          { streamId: a, events: events(workspaceId, 2), expected: 'no_stream' },
          { streamId: b, events: events(workspaceId, 2), expected: 'no_stream' },
        ]);
        const written = await readMine({ streams: [a, b] });
        expect(written).to.have.length(4);
        for (let i = 1; i < written.length; i += 1) expect(written[i]!.position > written[i - 1]!.position).to.equal(true);
        expect(written[0]!.position > before.position).to.equal(true);
        // The events of one stream keep their order; each result is its stream's last event.
        for (const [i, id] of [a, b].entries()) {
          const own = written.filter((e) => e.streamId === id);
          expect(own.map((e) => e.revision)).to.deep.equal([0n, 1n]);
          expect(results[i]!.position).to.equal(own[1]!.position);
        }
        const after = await store.append(streamId(), events(workspaceId, 1), 'no_stream');
        expect(after.position > written[3]!.position).to.equal(true);
      });

      it('writes nothing of any stream when one expected revision is stale, naming that stream', async () => {
        const moved = streamId();
        const fresh = streamId();
        const other = streamId();
        await store.append(moved, events(workspaceId, 2), 'no_stream');
        await store.append(other, events(workspaceId, 1), 'no_stream');
        await expectConcurrencyError(
          store.appendMany([
            { streamId: fresh, events: events(workspaceId, 2), expected: 'no_stream' },
            { streamId: other, events: events(workspaceId, 1), expected: 0n },
            { streamId: moved, events: events(workspaceId, 1), expected: 0n },
          ]),
          { streamId: moved, expected: 0n, actual: 1n },
        );
        expect(await store.readStream(fresh)).to.deep.equal([]);
        expect(await store.readStream(other)).to.have.length(1);
        expect(await store.readStream(moved)).to.have.length(2);
        expect(await readMine()).to.have.length(3);
      });

      it('names the stream whose check failed, whatever its place in the list and its kind of expectation', async () => {
        const existing = streamId();
        await store.append(existing, events(workspaceId, 1), 'no_stream');
        const missing = streamId();
        await expectConcurrencyError(
          store.appendMany([
            { streamId: missing, events: events(workspaceId, 1), expected: 'stream_exists' },
            { streamId: streamId(), events: events(workspaceId, 1), expected: 'no_stream' },
          ]),
          { streamId: missing, expected: 'stream_exists', actual: 'no_stream' },
        );
        await expectConcurrencyError(
          store.appendMany([
            { streamId: streamId(), events: events(workspaceId, 1), expected: 'any' },
            { streamId: existing, events: events(workspaceId, 1), expected: 'no_stream' },
          ]),
          { streamId: existing, expected: 'no_stream', actual: 0n },
        );
        expect(await readMine()).to.have.length(1);
      });

      it('does not duplicate a retried multi-stream append with the same event ids, and answers as the first time', async () => {
        const existing = streamId();
        await store.append(existing, events(workspaceId, 1), 'no_stream');
        const writes = [
          { streamId: streamId(), events: events(workspaceId, 2), expected: 'no_stream' as const },
          { streamId: existing, events: events(workspaceId, 2), expected: 0n },
        ];
        const first = await store.appendMany(writes);
        const retry = await store.appendMany(writes);
        expect(retry).to.deep.equal(first);
        expect(await store.readStream(writes[0]!.streamId)).to.have.length(2);
        expect(await store.readStream(existing)).to.have.length(3);
        expect(await readMine()).to.have.length(5);
      });

      it('rejects a list that names a stream twice, writing nothing', async () => {
        const twice = streamId();
        const other = streamId();
        const error = await rejection(
          store.appendMany([
            { streamId: other, events: events(workspaceId, 1), expected: 'no_stream' },
            { streamId: twice, events: events(workspaceId, 1), expected: 'no_stream' },
            { streamId: twice, events: events(workspaceId, 1), expected: 'any' },
          ]),
        );
        expect(error).to.be.instanceOf(Error);
        expect(error).to.not.be.instanceOf(ConcurrencyError);
        expect(await readMine()).to.deep.equal([]);
      });

      it('rejects an empty list and a stream without events, writing nothing', async () => {
        expect(await rejection(store.appendMany([]))).to.be.instanceOf(Error);
        const error = await rejection(
          store.appendMany([
            { streamId: streamId(), events: events(workspaceId, 1), expected: 'no_stream' },
            { streamId: streamId(), events: [], expected: 'no_stream' },
          ]),
        );
        expect(error).to.be.instanceOf(Error);
        expect(await readMine()).to.deep.equal([]);
      });

      it('lets exactly one of concurrent multi-stream appends racing on a shared stream win; the losers write nothing', async () => {
        const shared = streamId();
        await store.append(shared, events(workspaceId, 1), 'no_stream');
        const own = Array.from({ length: 6 }, () => streamId());
        const attempts = await Promise.allSettled(
          own.map((id) =>
            store.appendMany([
              { streamId: id, events: events(workspaceId, 2), expected: 'no_stream' },
              { streamId: shared, events: events(workspaceId, 1), expected: 0n },
            ]),
          ),
        );
        const won = attempts.flatMap((a, i) => (a.status === 'fulfilled' ? [i] : []));
        expect(won).to.have.length(1);
        for (const a of attempts) {
          if (a.status === 'rejected') {
            expect(a.reason).to.be.instanceOf(ConcurrencyError);
            expect((a.reason as ConcurrencyError).streamId).to.equal(shared);
          }
        }
        const winner = won[0]!;
        for (const [i, id] of own.entries()) expect(await store.readStream(id)).to.have.length(i === winner ? 2 : 0);
        const ofShared = await store.readStream(shared);
        expect(ofShared).to.have.length(2);
        expect(ofShared[1]!.position).to.equal((attempts[winner] as PromiseFulfilledResult<AppendResult[]>).value[1]!.position);
        expect(await readMine()).to.have.length(4);
      });

      it('races with single-stream appends on the same stream: one of them wins', async () => {
        const shared = streamId();
        await store.append(shared, events(workspaceId, 1), 'no_stream');
        const other = streamId();
        const attempts = await Promise.allSettled([
          store.append(shared, events(workspaceId, 1), 0n),
          store.appendMany([
            { streamId: other, events: events(workspaceId, 1), expected: 'no_stream' },
            { streamId: shared, events: events(workspaceId, 1), expected: 0n },
          ]),
          store.append(shared, events(workspaceId, 1), 0n),
        ]);
        expect(attempts.filter((a) => a.status === 'fulfilled')).to.have.length(1);
        expect(await store.readStream(shared)).to.have.length(2);
        const multiWon = attempts[1].status === 'fulfilled';
        expect(await store.readStream(other)).to.have.length(multiWon ? 1 : 0);
      });
    });

    describe('positions', () => {
      it('increase strictly in append order across streams', async () => {
        const a = streamId();
        const b = streamId();
        const r1 = await store.append(a, events(workspaceId, 2), 'no_stream');
        const r2 = await store.append(b, events(workspaceId, 1), 'no_stream');
        const r3 = await store.append(a, events(workspaceId, 1), 1n);
        expect(r1.position < r2.position && r2.position < r3.position).to.equal(true);
        const mine = await readMine();
        expect(mine.map((e) => [e.streamId, e.revision])).to.deep.equal([
          [a, 0n],
          [a, 1n],
          [b, 0n],
          [a, 2n],
        ]);
        for (let i = 1; i < mine.length; i += 1) expect(mine[i]!.position > mine[i - 1]!.position).to.equal(true);
      });

      it('report the same position in the append result, readStream and readAll', async () => {
        const id = streamId();
        const result = await store.append(id, events(workspaceId, 1), 'no_stream');
        const [fromStream] = await store.readStream(id);
        const [fromAll] = await readMine();
        expect(fromStream!.position).to.equal(result.position);
        expect(fromAll!.position).to.equal(result.position);
        expect(typeof fromAll!.revision).to.equal('bigint');
      });
    });

    describe('readStream', () => {
      it('returns the events of one stream only, in revision order', async () => {
        const a = streamId();
        const b = streamId();
        await store.append(a, [event(workspaceId, 'A', { n: 0 })], 'no_stream');
        await store.append(b, [event(workspaceId, 'B', { n: 0 })], 'no_stream');
        await store.append(a, [event(workspaceId, 'A', { n: 1 }), event(workspaceId, 'A', { n: 2 })], 0n);
        const stream = await store.readStream(a);
        expect(stream.map((e) => e.data)).to.deep.equal([{ n: 0 }, { n: 1 }, { n: 2 }]);
        expect(stream.every((e) => e.streamId === a && e.type === 'A')).to.equal(true);
      });

      it('returns an empty array for a stream that does not exist', async () => {
        expect(await store.readStream(streamId('missing'))).to.deep.equal([]);
      });
    });

    describe('readAll', () => {
      const appendSeven = async (): Promise<{ a: string; b: string; c: string; results: AppendResult[] }> => {
        const a = streamId();
        const b = streamId();
        const c = streamId();
        const results = [
          await store.append(a, events(workspaceId, 2), 'no_stream'),
          await store.append(b, events(workspaceId, 3), 'no_stream'),
          await store.append(c, events(workspaceId, 1), 'no_stream'),
          await store.append(a, events(workspaceId, 1), 1n),
        ];
        return { a, b, c, results };
      };

      it('pages through the log without gaps or repeats when pageSize is smaller than the events', async () => {
        const { a, b, c } = await appendSeven();
        for (const pageSize of [1, 2, 3]) {
          const mine = await readMine({ pageSize });
          expect(mine.map((e) => `${e.streamId}@${e.revision}`)).to.deep.equal([
            `${a}@0`,
            `${a}@1`,
            `${b}@0`,
            `${b}@1`,
            `${b}@2`,
            `${c}@0`,
            `${a}@2`,
          ]);
          expect(new Set(mine.map((e) => e.metadata.eventId)).size).to.equal(7);
        }
      });

      it('reads strictly after the given position ("after" is exclusive)', async () => {
        await appendSeven();
        const mine = await readMine();
        const third = mine[2]!;
        const after = (await collect(store.readAll({ after: third.position, pageSize: 2 }))).filter(
          (e) => e.metadata.workspaceId === workspaceId,
        );
        expect(after.map((e) => e.metadata.eventId)).to.deep.equal(mine.slice(3).map((e) => e.metadata.eventId));
        const afterLast = (await collect(store.readAll({ after: mine[6]!.position }))).filter(
          (e) => e.metadata.workspaceId === workspaceId,
        );
        expect(afterLast).to.deep.equal([]);
      });

      it('filters by workspaceId (metadata), across pages', async () => {
        const other = `ws${suffix()}`;
        const mineStream = streamId();
        const otherStream = streamId();
        for (let i = 0; i < 3; i += 1) {
          await store.append(mineStream, [event(workspaceId)], i === 0 ? 'no_stream' : BigInt(i - 1));
          await store.append(otherStream, [event(other)], i === 0 ? 'no_stream' : BigInt(i - 1));
        }
        const filtered = await collect(store.readAll({ ...(startHead === null ? {} : { after: startHead }), workspaceId, pageSize: 2 }));
        expect(filtered.map((e) => e.streamId)).to.deep.equal([mineStream, mineStream, mineStream]);
        expect(filtered.every((e) => e.metadata.workspaceId === workspaceId)).to.equal(true);
      });

      it('filters by event types, across pages', async () => {
        const typeA = `ContractA${suffix()}`;
        const typeB = `ContractB${suffix()}`;
        const typeC = `ContractC${suffix()}`;
        const id = streamId();
        await store.append(
          id,
          [
            event(workspaceId, typeA),
            event(workspaceId, typeB),
            event(workspaceId, typeC),
            event(workspaceId, typeA),
            event(workspaceId, typeB),
          ],
          'no_stream',
        );
        const filtered = await collect(
          store.readAll({ ...(startHead === null ? {} : { after: startHead }), types: [typeA, typeB], pageSize: 2 }),
        );
        expect(filtered.map((e) => e.type)).to.deep.equal([typeA, typeB, typeA, typeB]);
        expect(filtered.map((e) => e.revision)).to.deep.equal([0n, 1n, 3n, 4n]);
      });

      it('combines the workspaceId and types filters', async () => {
        const type = `ContractD${suffix()}`;
        const other = `ws${suffix()}`;
        await store.append(streamId(), [event(workspaceId, type), event(workspaceId, 'Other')], 'no_stream');
        await store.append(streamId(), [event(other, type)], 'no_stream');
        const filtered = await collect(store.readAll({ ...(startHead === null ? {} : { after: startHead }), workspaceId, types: [type] }));
        expect(filtered).to.have.length(1);
        expect(filtered[0]!.type).to.equal(type);
        expect(filtered[0]!.metadata.workspaceId).to.equal(workspaceId);
      });
    });

    describe('headPosition', () => {
      it('is at least the position of the last append', async () => {
        const result = await store.append(streamId(), events(workspaceId, 2), 'no_stream');
        const head = await store.headPosition();
        expect(typeof head).to.equal('bigint');
        expect(head! >= result.position).to.equal(true);
      });

      it('does not move on a rejected append', async () => {
        const id = streamId();
        await store.append(id, events(workspaceId, 1), 'no_stream');
        const head = await store.headPosition();
        await store.append(id, events(workspaceId, 1), 'no_stream').catch(() => undefined);
        // On a shared server another writer may move the head; none of those events are ours.
        const moved = await store.headPosition();
        if (moved !== head) expect(await readMine({ streams: [id] })).to.have.length(1);
        else expect(moved).to.equal(head);
      });
    });

    describe('ping', () => {
      it('answers while the store is open', async () => {
        await store.ping();
      });
    });
  });
};

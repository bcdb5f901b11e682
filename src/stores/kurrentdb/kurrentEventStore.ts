/**
 * KurrentDB (formerly EventStoreDB) event store adapter, on @kurrent/kurrentdb-client.
 *
 * Revisions are KurrentDB's stream revisions (0-based). The port's global position is the
 * event's commit position in the transaction log: unique per event, increasing in log order, not
 * gapless. To read or subscribe after a position p we pass `{ commit: p, prepare: p }`; reads of
 * $all forwards include the event at the start position while subscriptions exclude it, so reads
 * drop every event at or before `after` themselves (and subscriptions do too, harmlessly).
 *
 * Appends pass the port's expected revision as the client's `streamState` and the event id as the
 * KurrentDB event id, so the server's idempotency check makes a retried append succeed without
 * writing twice. That is reliable with an exact revision or `no_stream` only: for `stream_exists`
 * and `any` the server consults a bounded in-memory cache of recent ids (docs/production.md).
 * Metadata is the plain object for one-stream appends and string-encoded for multi-stream ones
 * (./metadataCodec.ts); every read decodes both.
 */
import {
  ANY,
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendStreamRequest,
  type AppendStreamState,
  type JSONType,
  type MultiAppendResult,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { EventMetadata } from '../../events/envelope.js';
import {
  ConcurrencyError,
  malformedAppend,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type StoredEvent,
  type StreamWrite,
} from '../eventStore.js';
import { toEventUuid } from './eventIds.js';
import { matchesReadAll, readAllFilter } from './filters.js';
import { decodeMetadata, encodeMetadataAsStrings } from './metadataCodec.js';
import { kurrentOutage } from './outage.js';

export interface KurrentEventStoreOptions {
  /** Events fetched per readAll round trip. */
  pageSize?: number;
}

export const streamStateFor = (expected: ExpectedRevision): AppendStreamState => {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return expected;
  }
};

/** Where a read of $all starts for a port position (exclusive on the port, see the header). */
export const readPositionAfter = (after: bigint | undefined): ReadPosition =>
  after === undefined ? START : { commit: after, prepare: after };

const jsonData = (value: unknown, what: string): JSONType => {
  if (value !== null && typeof value === 'object') return value as JSONType;
  throw new TypeError(`${what} must be a JSON object or array`);
};

const isOurMetadata = (value: unknown): value is EventMetadata =>
  value !== null && typeof value === 'object' && typeof (value as { eventId?: unknown }).eventId === 'string';

const commitOf = (position: Position | undefined, eventId: string): bigint => {
  if (!position) throw new Error(`the server reported no position for event ${eventId} (KurrentDB/EventStoreDB 22.6 or later is required)`);
  return position.commit;
};

/**
 * Our view of a recorded event; null for what is not ours: links to deleted events, binary events,
 * events without our metadata (written by other tools into the same database).
 */
export const toStoredEvent = (resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null => {
  const event = resolved.event;
  if (!event || !event.isJson || !isOurMetadata(event.metadata)) return null;
  return {
    streamId: event.streamId,
    revision: event.revision,
    position: commitOf(event.position, event.id),
    type: event.type,
    data: event.data,
    metadata: decodeMetadata(event.metadata) as EventMetadata,
  };
};

/** The port's ConcurrencyError for a failed multi-stream check: the stream the server names, with our expected revision. */
export const concurrencyErrorOf = (error: WrongExpectedVersionError, writes: readonly StreamWrite[]): ConcurrencyError => {
  const write = writes.find((w) => w.streamId === error.streamName) ?? writes[0];
  if (!write) throw new Error('a failed multi-stream append has no writes to name');
  const actual = typeof error.actualState === 'bigint' ? error.actualState : 'no_stream';
  return new ConcurrencyError(error.streamName || write.streamId, write.expected, actual);
};

/** The requests of a multi-stream append: our ids and expected states, metadata string-encoded (./metadataCodec.ts). */
export const multiStreamRequests = (writes: readonly StreamWrite[]): AppendStreamRequest[] =>
  writes.map((write) => ({
    streamName: write.streamId,
    expectedState: streamStateFor(write.expected),
    events: write.events.map((event) =>
      jsonEvent({
        id: toEventUuid(event.metadata.eventId),
        type: event.type,
        data: jsonData(event.data, `data of ${event.type}`),
        metadata: encodeMetadataAsStrings(event.metadata),
      }),
    ),
  }));

export class KurrentEventStore implements EventStore {
  private readonly pageSize: number;

  constructor(
    readonly client: KurrentDBClient,
    options: KurrentEventStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 500;
  }

  static fromConnectionString(url: string, options: KurrentEventStoreOptions = {}): KurrentEventStore {
    return new KurrentEventStore(KurrentDBClient.connectionString(url), options);
  }

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const data = events.map((event) =>
      jsonEvent({
        id: toEventUuid(event.metadata.eventId),
        type: event.type,
        data: jsonData(event.data, `data of ${event.type}`),
        metadata: { ...event.metadata },
      }),
    );
    try {
      const result = await this.client.appendToStream(streamId, data, { streamState: streamStateFor(expected) });
      const position = result.position?.commit ?? (await this.lastPositionOf(streamId));
      return { nextRevision: result.nextExpectedRevision, position };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw new ConcurrencyError(streamId, expected, error.actualState);
      throw kurrentOutage(error);
    }
  }

  /**
   * One stream: a plain append. Several: KurrentDB's atomic `multiStreamAppend` (server 25.1 or
   * later), each stream with its own expected state, metadata string-encoded as that API requires
   * (./metadataCodec.ts). The server answers each stream's revision and one position for the
   * whole append; the port's per-stream position (its last event's) is read back by revision.
   * A failed check names the stream that moved. A retried append whose events are all already in
   * their streams (by event id) answers the original result instead of failing.
   */
  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    const malformed = malformedAppend(writes);
    if (malformed) throw malformed;
    const [single] = writes;
    if (single && writes.length === 1) return [await this.append(single.streamId, single.events, single.expected)];
    const requests = multiStreamRequests(writes);
    let result: MultiAppendResult;
    try {
      result = await this.client.multiStreamAppend(requests);
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw kurrentOutage(error);
      const earlier = await this.alreadyAppended(writes);
      if (earlier) return earlier;
      throw concurrencyErrorOf(error, writes);
    }
    const revisions = new Map(result.responses.map((response) => [response.streamName, response.revision]));
    return Promise.all(
      writes.map(async (write) => {
        const revision = revisions.get(write.streamId);
        if (revision === undefined) throw new Error(`the server did not report the revision of stream ${write.streamId}`);
        return { nextRevision: revision, position: await this.positionAt(write.streamId, revision) };
      }),
    );
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: START })) {
        const event = toStoredEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw kurrentOutage(error);
    }
    return events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const pageSize = options.pageSize ?? this.pageSize;
    const filter = readAllFilter(options);
    let after = options.after;
    for (;;) {
      // Forward reads include the start position: ask for one more to still get a full page.
      const maxCount = after === undefined ? pageSize : pageSize + 1;
      let received = 0;
      let last: bigint | undefined;
      try {
        for await (const resolved of this.client.readAll({
          direction: FORWARDS,
          fromPosition: readPositionAfter(after),
          maxCount,
          filter,
        })) {
          received += 1;
          const position = resolved.event?.position.commit ?? resolved.commitPosition;
          if (position === undefined || (after !== undefined && position <= after)) continue;
          last = position;
          const event = toStoredEvent(resolved);
          if (event && matchesReadAll(event, options)) yield event;
        }
      } catch (error) {
        throw kurrentOutage(error);
      }
      if (received < maxCount || last === undefined) return;
      after = last;
    }
  }

  async headPosition(): Promise<bigint | null> {
    // The last non-system event: the server itself appends system events (statistics, epochs).
    try {
      for await (const resolved of this.client.readAll({
        direction: BACKWARDS,
        fromPosition: END,
        maxCount: 1,
        filter: readAllFilter({}),
      })) {
        const position = resolved.event?.position.commit ?? resolved.commitPosition;
        if (position !== undefined) return position;
      }
    } catch (error) {
      throw kurrentOutage(error);
    }
    return null;
  }

  async ping(): Promise<void> {
    // The cheapest call that needs the server: the last record of the log.
    const records = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })[Symbol.asyncIterator]();
    const first = await records.next();
    if (first.done !== true) await records.return?.();
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  /** Position of the event at this revision of a stream. */
  private async positionAt(streamId: string, revision: bigint): Promise<bigint> {
    for await (const resolved of this.client.readStream(streamId, { direction: FORWARDS, fromRevision: revision, maxCount: 1 })) {
      const event = toStoredEvent(resolved);
      if (event?.revision === revision) return event.position;
    }
    throw new Error(`stream ${streamId} has no event at revision ${revision.toString()} right after an append`);
  }

  /**
   * The results of an earlier append of exactly these events (by id, each in its stream), or null
   * when any of them is not there. Streams are read from their end: a retry follows its original.
   */
  private async alreadyAppended(writes: readonly StreamWrite[]): Promise<AppendResult[] | null> {
    const results: AppendResult[] = [];
    for (const write of writes) {
      const wanted = new Set(write.events.map((event) => toEventUuid(event.metadata.eventId)));
      let last: StoredEvent | undefined;
      try {
        for await (const resolved of this.client.readStream(write.streamId, { direction: BACKWARDS, fromRevision: END })) {
          const id = resolved.event?.id;
          if (id === undefined || !wanted.has(id)) continue;
          const event = toStoredEvent(resolved);
          if (event && (last === undefined || event.revision > last.revision)) last = event;
          wanted.delete(id);
          if (wanted.size === 0) break;
        }
      } catch (error) {
        if (error instanceof StreamNotFoundError) return null;
        throw error;
      }
      if (wanted.size > 0 || last === undefined) return null;
      results.push({ nextRevision: last.revision, position: last.position });
    }
    return results;
  }

  /** The append result carries no position on some idempotent retries: read it back. */
  private async lastPositionOf(streamId: string): Promise<bigint> {
    for await (const resolved of this.client.readStream(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 })) {
      const event = toStoredEvent(resolved);
      if (event) return event.position;
    }
    throw new Error(`stream ${streamId} is empty right after an append`);
  }
}

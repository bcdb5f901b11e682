/**
 * The one command path, for every aggregate and every command, creates and changes alike:
 * read the aggregate's stream, fold it, look up what the decision needs from elsewhere, decide,
 * and append with the expected revision the fold saw ("no stream" for a create). Idempotency
 * comes from the event store itself:
 * - a create with an Idempotency-Key gets an id derived from the key (./idempotency.ts), so a
 *   repeat finds the stream already there;
 * - a change records the key and the request hash in its events' metadata, so a repeat finds
 *   them in the aggregate's own stream.
 * Either way a true repeat is answered as the original was and appends nothing, and the same key
 * with another body is a 422.
 */
import type { EventMetadata, RequestContext, StoredEvent } from '../events/envelope.js';
import { ConflictError, IdempotencyKeyReusedError, NotFoundError, PreconditionFailedError, PreconditionRequiredError } from '../errors.js';
import type { Logger } from '../logger.js';
import {
  ConcurrencyError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type StreamWrite,
} from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';
import type { Decider } from './decider.js';
import type { Clock, IdGenerator } from './deps.js';
import { idempotentId, requestHash } from './idempotency.js';
import type { StreamLocks } from './streamLocks.js';

export interface CommandDeps {
  events: EventStore;
  /** Where lookups find other aggregates' facts (the catalog entries a session names). */
  readModel: ReadModelStore;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** Turns on boundary streams among this process's commands (one per process, shared by every request). */
  locks: StreamLocks;
}

export interface CommandRequest {
  context: RequestContext;
  /** Idempotency scope: the workspace, or the platform user for workspace creation. */
  scope: string;
  idempotencyKey?: string;
  /** The raw request body, hashed to recognise a true repeat. */
  body: unknown;
  /**
   * The version (number of events) the client last read, from If-Match. `null`: the request must
   * carry one and did not (428). Undefined: the command needs none.
   */
  expectedVersion?: number | null;
}

/** * What one command does to one aggregate: which stream, which decider, and how to build the command. */
export interface AggregateCommand<Command, Event extends EventToAppend, State, Context> {
  /** Resource kind, part of the idempotent id so one key can serve different endpoints. */
  kind: string;
  decider: Decider<Command, Event, State, Context>;
  stream(id: string): string;
  /** The workspace the aggregate belongs to (for workspaces, the id itself). */
  workspaceOf(id: string): string;
  /** `create`: a new aggregate (id fresh or derived from the key); `change`: the aggregate `id`, which must exist. */
  target: { create: true } | { create: false; id: string; label: string };
  /** The named lookup: what the decision needs from outside the stream. */
  lookup(state: State): Promise<Context>;
  command(id: string, metadata: EventMetadata): Command;
  /**
   * Times to read, decide and append again when the stream moved in between; only for commands
   * whose outcome does not depend on a version the client saw (no If-Match). Default 0.
   */
  retries?: number;
  /** Other streams the decision must be consistent with, appended atomically with the aggregate's events. */
  boundary?: Boundary<Command, Event, State>;
}

/**
 * A consistency boundary beyond the aggregate (e.g. a staff member's days). After the aggregate
 * decided, the handler reads the streams the boundary names, lets it decide their events (and
 * events it adds to the aggregate's), and appends everything in one atomic multi-stream append,
 * each stream at the revision read. When one of those streams moved meanwhile (another process
 * appended to it; this process's commands take turns on them), it all runs again.
 */
export interface Boundary<Command, Event, State> {
  streams(before: State, after: State): string[];
  decide(
    read: ReadonlyMap<string, StoredEvent[]>,
    context: { before: State; after: State; command: Command; metadata: EventMetadata },
  ): { aggregate: Event[]; writes: { streamId: string; events: EventToAppend[] }[] };
}

/** Attempts when a boundary stream moved between its read and the append. */
const boundaryAttempts = 10;

export interface CommandOutcome {
  id: string;
  streamId: string;
  workspaceId: string;
  /** True when this answered a repeat of an earlier idempotent request. */
  replayed: boolean;
  /** The aggregate's whole stream after the command (upcast, as read back plus what was appended). */
  stream: StoredEvent[];
  /** What this command appended (empty for a replay or a command that changed nothing). */
  appended: StoredEvent[];
  /** Events in the stream after the command: the aggregate's version. */
  version: number;
  /** Position of the last event the answer must reflect (the last appended, or the replayed request's last). */
  position: bigint | null;
}

export const handleCommand = async <Command, Event extends EventToAppend, State, Context>(
  deps: CommandDeps,
  spec: AggregateCommand<Command, Event, State, Context>,
  request: CommandRequest,
): Promise<CommandOutcome> => {
  const key = request.idempotencyKey;
  const idempotency = key === undefined ? undefined : { key, hash: requestHash(request.body) };
  const id = spec.target.create ? (key === undefined ? deps.ids.objectId() : idempotentId(request.scope, spec.kind, key)) : spec.target.id;
  const streamId = spec.stream(id);
  const workspaceId = spec.workspaceOf(id);

  let boundaryRaces = 0;
  for (let attempt = 0; ; attempt += 1) {
    // A create under a fresh id (no Idempotency-Key) has no stream to read: ids never repeat.
    const stream = spec.target.create && key === undefined ? [] : await deps.events.readStream(streamId);
    const outcome = (replayed: boolean, appended: StoredEvent[], upTo: number): CommandOutcome => ({
      id,
      streamId,
      workspaceId,
      replayed,
      stream: replayed ? stream.slice(0, upTo) : [...stream, ...appended],
      appended,
      version: replayed ? upTo : stream.length + appended.length,
      position: (replayed ? stream[upTo - 1] : (appended[appended.length - 1] ?? stream[stream.length - 1]))?.position ?? null,
    });

    // An id names an aggregate of the path's workspace only: another workspace's is not found here.
    if (!spec.target.create && stream[0]?.metadata.workspaceId !== workspaceId) {
      throw new NotFoundError(`${spec.target.label} ${id} was not found in this workspace.`);
    }
    if (idempotency !== undefined) {
      const repeated = findRepeat(stream, idempotency.key, idempotency.hash, spec.target.create, request.context.actor.userId);
      if (repeated !== null) return outcome(true, [], repeated);
    }
    if (spec.target.create && stream.length > 0) {
      // Only a fresh id can meet an existing stream here, which ids never repeat: a bug, not a client error.
      throw new Error(`stream ${streamId} already exists for a create`);
    }
    if (request.expectedVersion === null) {
      throw new PreconditionRequiredError(
        `Send If-Match with the ETag of the ${spec.kind} as you last read it, so that no one else's change is lost.`,
      );
    }
    if (request.expectedVersion !== undefined && request.expectedVersion !== stream.length) {
      throw new PreconditionFailedError(
        `The ${spec.kind} has changed since you read it: it is at version ${stream.length}, not ${request.expectedVersion}.`,
        stream.length,
      );
    }

    const state = stream.reduce((s, event) => spec.decider.evolve(s, event as unknown as Event), spec.decider.initialState());
    const context = await spec.lookup(state);
    const metadata: EventMetadata = {
      eventId: deps.ids.uuid(),
      occurredAt: deps.clock().toISOString(),
      actor: request.context.actor,
      workspaceId,
      requestId: request.context.requestId,
      correlationId: request.context.correlationId,
      schemaVersion: 0,
      ...(idempotency === undefined ? {} : { idempotencyKey: idempotency.key, requestHash: idempotency.hash }),
    };
    const command = spec.command(id, metadata);
    const decided = spec.decider.decide(command, state, context);
    if (decided.length === 0) return outcome(false, [], 0);
    const boundary = spec.boundary;
    const after = boundary ? decided.reduce((s, event) => spec.decider.evolve(s, event), state) : state;
    const names = boundary ? [...new Set(boundary.streams(state, after))] : [];
    const expected = expectedAfter(stream);

    let appended: AppendResult;
    let events: Event[];
    try {
      // From reading the boundary's streams to appending: this process's other commands on them wait their turn.
      ({ appended, events } = await deps.locks.hold(names, async () => {
        const writes: StreamWrite[] = [];
        let all = decided;
        if (boundary) {
          const read = new Map(await Promise.all(names.map(async (name) => [name, await deps.events.readStream(name)] as const)));
          const extra = boundary.decide(read, { before: state, after, command, metadata });
          all = [...decided, ...extra.aggregate];
          for (const write of extra.writes) {
            writes.push({ streamId: write.streamId, events: write.events, expected: expectedAfter(read.get(write.streamId) ?? []) });
          }
        }
        // Each event gets its own id; the first keeps the one above.
        let firstEvent = true;
        const withIds = <E extends EventToAppend>(list: readonly E[]): E[] =>
          list.map((event) => {
            if (firstEvent) {
              firstEvent = false;
              return event;
            }
            return { ...event, metadata: { ...event.metadata, eventId: deps.ids.uuid() } };
          });
        const toAppend = withIds(all);
        for (const write of writes) write.events = withIds(write.events);
        const result =
          writes.length === 0
            ? await deps.events.append(streamId, toAppend, expected)
            : await appendWithBoundary(deps.events, { streamId, events: toAppend, expected }, writes);
        return { appended: result, events: toAppend };
      }));
    } catch (error) {
      if (!(error instanceof ConcurrencyError)) throw error;
      // A boundary stream moved (another booking of the same staff member's day): decide again.
      if (error.streamId !== streamId && boundaryRaces < boundaryAttempts) {
        boundaryRaces += 1;
        attempt -= 1;
        continue;
      }
      // A concurrent repeat of the same idempotent request, or another change: read again and see.
      if (key !== undefined || attempt < (spec.retries ?? 0)) continue;
      if (request.expectedVersion !== undefined) {
        const now = (await deps.events.readStream(streamId)).length;
        throw new PreconditionFailedError(
          `The ${spec.kind} changed while this request was being decided: it is now at version ${now}.`,
          now,
        );
      }
      throw new ConflictError(`The ${spec.kind} was changed by another request at the same time; read it again and retry.`);
    }
    const first = appended.nextRevision - BigInt(events.length - 1);
    const recorded: StoredEvent[] = events.map((event, i) => ({
      ...event,
      streamId,
      revision: first + BigInt(i),
      position: appended.position - BigInt(events.length - 1 - i),
    }));
    return outcome(false, recorded, 0);
  }
};

/** The revision a stream is expected at when appending after the events read from it. */
const expectedAfter = (events: readonly StoredEvent[]): ExpectedRevision => events[events.length - 1]?.revision ?? 'no_stream';

/** Appends the aggregate's events and the boundary's atomically; the result is the aggregate's. */
const appendWithBoundary = async (events: EventStore, aggregate: StreamWrite, boundary: readonly StreamWrite[]) => {
  const [result] = await events.appendMany([aggregate, ...boundary]);
  // appendMany answers one result per write, in order.
  if (result === undefined) throw new Error(`appendMany answered no result for ${aggregate.streamId}, the first of its writes`);
  return result;
};

/**
 * The number of events the stream had right after the original request with this key, or null
 * when the key is new here. A create's key lives in the stream's first event; a change's in the
 * events it appended. Keys are scoped per user (./idempotency.ts): another user's key is new here.
 */
const findRepeat = (stream: readonly StoredEvent[], key: string, hash: string, create: boolean, userId: string): number | null => {
  const candidates = create ? stream.slice(0, 1) : stream;
  let last = -1;
  let original: StoredEvent | undefined;
  // A counter beside for-of: destructuring entries() costs several times as much per event.
  let i = 0;
  for (const event of candidates) {
    if (event.metadata.idempotencyKey === key && event.metadata.actor.userId === userId) {
      last = i;
      original = event;
    }
    i += 1;
  }
  if (original === undefined) return null;
  if (original.metadata.requestHash !== hash) {
    throw new IdempotencyKeyReusedError(
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
      [{ path: 'Idempotency-Key', message: 'already used with a different request body' }],
    );
  }
  if (create) {
    // A create's events all carry its key; the request ended with the last of them (the original is the first).
    const end = stream.findIndex((event) => event.metadata.requestId !== original.metadata.requestId);
    return end < 0 ? stream.length : end;
  }
  return last + 1;
};

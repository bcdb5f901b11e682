/**
 * The one write path every create command shares: pick the aggregate id (fresh, or derived from
 * the Idempotency-Key), decide, append with expected revision "no stream", wait until the read
 * model holds the event, and return the projected document. A repeat of an idempotent request
 * returns the original document and appends nothing.
 */
import type { EventMetadata, RequestContext } from '../events/envelope.js';
import { IdempotencyKeyReusedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Projection } from '../projections/projection.js';
import type { ProjectionProgress } from '../projections/projector.js';
import { ConcurrencyError, type EventStore, type EventToAppend, type StoredEvent } from '../stores/eventStore.js';
import type { PendingDocuments } from '../stores/pendingDocuments.js';
import type { Document, ReadModelStore } from '../stores/readModel.js';
import type { Clock, IdGenerator } from './deps.js';
import { idempotentId, requestHash } from './idempotency.js';

export interface CommandDeps {
  events: EventStore;
  readModel: ReadModelStore;
  progress: ProjectionProgress;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  /** How long a create waits for the read model before answering from the event itself. */
  projectionWaitMs: number;
  /** Where a create that answered from its own event leaves the document for reads on this instance. */
  pending?: PendingDocuments;
}

export interface CreateRequest {
  context: RequestContext;
  /** Idempotency scope: the workspace, or the platform user for workspace creation. */
  scope: string;
  idempotencyKey?: string;
  /** The raw request body, hashed to recognise a true repeat. */
  body: unknown;
}

export interface CreateSpec {
  /** Resource kind, part of the idempotent id so one key can serve different endpoints. */
  kind: string;
  projection: Projection;
  stream: (id: string) => string;
  /** The workspace the new aggregate belongs to (for workspaces, the id itself). */
  workspaceOf: (id: string) => string;
  /** Loads what the decision needs and decides. Throws the decision's typed errors. */
  decide: (id: string, metadata: EventMetadata) => Promise<EventToAppend[]>;
}

export interface CreateOutcome {
  document: Document;
  /** True when this answered a repeat of an earlier idempotent request. */
  replayed: boolean;
}

const project = (projection: Projection, events: readonly StoredEvent[]): Document | null =>
  events.reduce<Document | null>((doc, event) => (projection.handles.includes(event.type) ? projection.evolve(doc, event) : doc), null);

export const executeCreate = async (deps: CommandDeps, spec: CreateSpec, request: CreateRequest): Promise<CreateOutcome> => {
  const key = request.idempotencyKey;
  const hash = key === undefined ? undefined : requestHash(request.body);
  const id = key === undefined ? deps.ids.objectId() : idempotentId(request.scope, spec.kind, key);
  const streamId = spec.stream(id);
  const workspaceId = spec.workspaceOf(id);

  if (key !== undefined) {
    const replay = await replayIfRepeated(deps, spec, streamId, workspaceId, id, hash!);
    if (replay) return replay;
  }

  const metadata: EventMetadata = {
    eventId: deps.ids.uuid(),
    occurredAt: deps.clock().toISOString(),
    actor: request.context.actor,
    workspaceId,
    requestId: request.context.requestId,
    correlationId: request.context.correlationId,
    schemaVersion: 0,
    ...(key === undefined ? {} : { idempotencyKey: key, requestHash: hash! }),
  };
  const events = await spec.decide(id, metadata);

  let appended;
  try {
    appended = await deps.events.append(streamId, events, 'no_stream');
  } catch (error) {
    // A concurrent repeat of the same idempotent request won the race: answer as a repeat.
    if (error instanceof ConcurrencyError && key !== undefined) {
      const replay = await replayIfRepeated(deps, spec, streamId, workspaceId, id, hash!);
      if (replay) return replay;
    }
    throw error;
  }

  if (await deps.progress.waitFor(spec.projection.name, appended.position, deps.projectionWaitMs)) {
    const document = await deps.readModel.find(spec.projection.collection, workspaceId, id);
    if (document) return { document, replayed: false };
  }
  // The read model has not caught up in time: answer with the same projection applied to the event.
  deps.logger.warn(
    { streamId, position: appended.position.toString(), lag: (await deps.progress.lag()).toString() },
    'read model did not reach the appended event in time; answering from the event',
  );
  const first = appended.nextRevision - BigInt(events.length - 1);
  const recorded = events.map((event, i) => ({
    ...event,
    streamId,
    revision: first + BigInt(i),
    position: appended.position - BigInt(events.length - 1 - i),
  }));
  const document = project(spec.projection, recorded);
  if (!document) throw new Error(`projection ${spec.projection.name} produced no document for ${streamId}`);
  deps.pending?.remember(spec.projection.collection, document);
  return { document, replayed: false };
};

const replayIfRepeated = async (
  deps: CommandDeps,
  spec: CreateSpec,
  streamId: string,
  workspaceId: string,
  id: string,
  hash: string,
): Promise<CreateOutcome | null> => {
  const existing = await deps.events.readStream(streamId);
  const first = existing[0];
  if (!first) return null;
  if (first.metadata.requestHash !== hash) {
    throw new IdempotencyKeyReusedError(
      'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
      [{ path: 'Idempotency-Key', message: 'already used with a different request body' }],
    );
  }
  const document = (await deps.readModel.find(spec.projection.collection, workspaceId, id)) ?? project(spec.projection, existing);
  if (!document) throw new Error(`projection ${spec.projection.name} produced no document for ${streamId}`);
  return { document, replayed: true };
};

/**
 * The shape every domain event shares. Events are plain data: `{ type, data, metadata }`.
 * Metadata is what audit reviewers read, so every field here is filled on every event.
 */
export interface Actor {
  userId: string;
  name?: string;
}

export interface EventMetadata {
  eventId: string;
  occurredAt: string;
  actor: Actor;
  /** Absent only for events that are not scoped to a workspace (none today). */
  workspaceId: string;
  requestId: string;
  correlationId: string;
  schemaVersion: number;
  /** Set when the request carried an Idempotency-Key: the key and a hash of the request body. */
  idempotencyKey?: string;
  requestHash?: string;
}

export interface Event<Type extends string, Data> {
  type: Type;
  data: Data;
  metadata: EventMetadata;
}

/** An event as read back from a store: its place in its stream and in the global log. */
export type Recorded<E extends Event<string, unknown>> = E & {
  streamId: string;
  /** 0-based revision of the event in its stream. */
  revision: bigint;
  /** Global position in the log; strictly increasing in append order. */
  position: bigint;
};

/** Any event as read back from a store, before it is narrowed to a domain event type. */
export type StoredEvent = Recorded<Event<string, unknown>>;

/** Request-scoped facts that become event metadata. */
export interface RequestContext {
  actor: Actor;
  requestId: string;
  correlationId: string;
}

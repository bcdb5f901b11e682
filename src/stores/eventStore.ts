/**
 * The event store port. Adapters: SQLite (embedded default) and KurrentDB (production).
 * Revisions are 0-based per stream; positions are global and strictly increasing in append order.
 * Both are bigint because KurrentDB's are 64-bit unsigned.
 */
import type { EventMetadata, StoredEvent } from '../events/envelope.js';

export type { StoredEvent };

export type ExpectedRevision =
  | 'no_stream'
  | 'stream_exists'
  | 'any'
  /** The revision of the stream's last event. */
  | bigint;

export interface EventToAppend {
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface AppendResult {
  /** Revision of the last event written (the stream's new revision). */
  nextRevision: bigint;
  /** Global position of the last event written. */
  position: bigint;
}

/** One stream's part of an atomic multi-stream append. */
export interface StreamWrite {
  streamId: string;
  events: EventToAppend[];
  expected: ExpectedRevision;
}

/**
 * Why appendMany refuses these writes before touching the log, the same on every adapter: no
 * stream, a stream without events, or a stream named twice. Undefined when they are well formed.
 * (An error returned, not thrown, for adapters that answer with a rejected promise.)
 */
export const malformedAppend = (writes: readonly StreamWrite[]): Error | undefined => {
  if (writes.length === 0 || writes.some((write) => write.events.length === 0))
    return new Error('append needs at least one event per stream');
  if (new Set(writes.map((write) => write.streamId)).size !== writes.length) return new Error('a multi-stream append names a stream twice');
  return undefined;
};

export interface ReadAllOptions {
  /** Exclusive: read events strictly after this position. Omit to start at the beginning. */
  after?: bigint;
  /** Events fetched per round trip. */
  pageSize?: number;
  /** Only events whose metadata.workspaceId matches. */
  workspaceId?: string;
  /** Only events of these types. */
  types?: readonly string[];
}

export interface EventStore {
  append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /**
   * Appends to several streams atomically: all or nothing, each stream checked against its own
   * expected revision. A failed check is a ConcurrencyError naming that stream. Results are in the
   * order of `writes`. A stream may appear once.
   */
  appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]>;
  /** Events of one stream in revision order; an empty array when the stream does not exist. */
  readStream(streamId: string): Promise<StoredEvent[]>;
  /** The whole log (or a filtered part of it) in position order, fetched page by page. */
  readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent>;
  /** Position of the last event in the log, or null when the log is empty. */
  headPosition(): Promise<bigint | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class ConcurrencyError extends Error {
  readonly code = 'concurrency';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${streamId}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'ConcurrencyError';
  }
}

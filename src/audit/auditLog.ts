/**
 * Audit reads: what happened, who did it and when, straight from the event log (upcast to the
 * current shapes). Every read is confined to one workspace: by the store's workspace filter for
 * the log, and by each event's metadata for a stream.
 */
import { objectIdPattern } from '../commands/validation.js';
import type { Actor } from '../events/envelope.js';
import { sessionStream } from '../events/streams.js';
import { NotFoundError } from '../errors.js';
import type { EventStore, StoredEvent } from '../stores/eventStore.js';
import { encodeCursor } from './cursor.js';

/** One event of a session's history. */
export interface HistoryEntry {
  type: string;
  schemaVersion: number;
  /** 0-based revision of the event in its stream. */
  revision: number;
  occurredAt: string;
  actor: Actor;
  requestId: string;
  correlationId: string;
  eventId: string;
  data: unknown;
}

/** One event of a workspace's audit log. */
export interface AuditEntry extends HistoryEntry {
  /** Global position in the log, as a decimal string (positions are 64-bit). */
  position: string;
  streamId: string;
  workspaceId: string;
}

export const toHistoryEntry = (event: StoredEvent): HistoryEntry => ({
  type: event.type,
  schemaVersion: event.metadata.schemaVersion,
  revision: Number(event.revision),
  occurredAt: event.metadata.occurredAt,
  actor: event.metadata.actor,
  requestId: event.metadata.requestId,
  correlationId: event.metadata.correlationId,
  eventId: event.metadata.eventId,
  data: event.data,
});

export const toAuditEntry = (event: StoredEvent): AuditEntry => ({
  position: event.position.toString(),
  streamId: event.streamId,
  workspaceId: event.metadata.workspaceId,
  ...toHistoryEntry(event),
});

/** The events of one session in revision order; 404 when the session is not in this workspace. */
export const sessionHistory = async (events: EventStore, workspaceId: string, sessionId: string): Promise<HistoryEntry[]> => {
  const stream = objectIdPattern.test(sessionId) ? await events.readStream(sessionStream(sessionId)) : [];
  const own = stream.filter((event) => event.metadata.workspaceId === workspaceId);
  if (own.length === 0) throw new NotFoundError(`Session ${sessionId} was not found in this workspace.`);
  return own.map(toHistoryEntry);
};

export interface AuditFilter {
  /** Only these event types. */
  types?: readonly string[];
  /** Only events whose actor.userId is this. */
  actorId?: string;
  /** occurredAt at or after this instant. */
  from?: Date;
  /** occurredAt strictly before this instant. */
  to?: Date;
}

/** True when the event passes the filters that the store does not apply itself (actor, time). */
export const matchesAudit = (event: StoredEvent, filter: AuditFilter): boolean => {
  if (filter.actorId !== undefined && event.metadata.actor.userId !== filter.actorId) return false;
  if (filter.from !== undefined || filter.to !== undefined) {
    const at = Date.parse(event.metadata.occurredAt);
    if (filter.from !== undefined && !(at >= filter.from.getTime())) return false;
    if (filter.to !== undefined && !(at < filter.to.getTime())) return false;
  }
  return true;
};

export interface AuditPageQuery extends AuditFilter {
  workspaceId: string;
  /** Start strictly after this position (null: from the beginning). */
  after: bigint | null;
  limit: number;
  /** At most this many events are examined per page, so a selective filter cannot make one request scan years of log. */
  scanLimit?: number;
}

export interface AuditPage {
  items: AuditEntry[];
  /** Where the next page starts: after the last event this page examined. Always present, so a reviewer can resume later. */
  nextCursor: string;
  /**
   * True when this page stopped before the end of the workspace's log (the limit or the scan
   * limit was reached). A page may hold fewer than `limit` items, even none, and still have more.
   */
  hasMore: boolean;
}

export const defaultScanLimit = 10_000;

/**
 * One page of the workspace's audit log in global order. Positions only grow and an event becomes
 * visible with everything before it, so following nextCursor neither skips nor repeats an event,
 * however many are appended meanwhile.
 */
export const auditPage = async (events: EventStore, query: AuditPageQuery): Promise<AuditPage> => {
  const scanLimit = query.scanLimit ?? defaultScanLimit;
  const items: AuditEntry[] = [];
  let last = query.after;
  let scanned = 0;
  let hasMore = false;
  const log = events.readAll({
    workspaceId: query.workspaceId,
    ...(query.after === null ? {} : { after: query.after }),
    ...(query.types && query.types.length > 0 ? { types: query.types } : {}),
    pageSize: Math.min(500, Math.max(query.limit + 1, 100)),
  });
  for await (const event of log) {
    if (items.length >= query.limit || scanned >= scanLimit) {
      // There is at least one more event to examine; it starts the next page.
      hasMore = true;
      break;
    }
    scanned += 1;
    last = event.position;
    // Defensive: the store filters by workspace; an event of another one must never leave it.
    if (event.metadata.workspaceId !== query.workspaceId) continue;
    if (matchesAudit(event, query)) items.push(toAuditEntry(event));
  }
  return { items, nextCursor: encodeCursor(query.workspaceId, last), hasMore };
};

/**
 * GET /sessions: the list and calendar query. A session matches `from`/`to` when its
 * [startAt, endAt) overlaps [from, to). Served from the read model through the sessions view's
 * indexes (by start, by staff member, by client, by service), keyset-paged on (startAt, id) with
 * an opaque cursor bound to the filters it was issued for. The start index is read from `from`
 * minus the longest session the workspace has had (see sessionLookBehindMinutes).
 */
import { parseIsoDateTime } from '../../commands/calendar.js';
import { maxDurationMinutes } from '../../commands/sessionRules.js';
import { startOfLocalDay } from '../../commands/schedule.js';
import { objectIdPattern } from '../../commands/validation.js';
import { sessionStatuses } from '../../events/session.js';
import { sessionBoundsId, sessionView, type SessionBounds } from '../../projections/sessionView.js';
import { QueryReader, type RawQuery } from './queryString.js';
import type { Condition, Document, Query, QueryCursor, ReadModelStore } from '../../stores/readModel.js';
import { decodeListCursor, encodeListCursor } from './listCursor.js';

export const sessionListLimits = { defaultLimit: 50, maxLimit: 200 } as const;

const parameters = ['from', 'to', 'staffId', 'clientId', 'serviceId', 'status', 'limit', 'cursor'] as const;
const plainDate = /^\d{4}-\d{2}-\d{2}$/;

export interface SessionListQuery {
  from?: string;
  to?: string;
  staffId?: string;
  clientId?: string;
  serviceId?: string;
  status?: string[];
  limit: number;
  after?: QueryCursor;
}

/** What a cursor is bound to: the workspace and every filter, normalized (not the limit). */
const bound = (workspaceId: string, q: Omit<SessionListQuery, 'limit' | 'after'>): unknown[] => [
  workspaceId,
  q.from ?? null,
  q.to ?? null,
  q.staffId ?? null,
  q.clientId ?? null,
  q.serviceId ?? null,
  q.status ?? null,
];

export const encodeSessionCursor = (workspaceId: string, q: SessionListQuery, at: QueryCursor): string =>
  encodeListCursor(bound(workspaceId, q), at);

const decodeSessionCursor = (cursor: string, workspaceId: string, q: SessionListQuery): QueryCursor =>
  decodeListCursor(cursor, bound(workspaceId, q), {
    maxLength: 300,
    otherFilters: 'it was issued for other filters (or another workspace)',
  });

/**
 * Validates the query string (every problem in one 400) and resolves plain dates to local
 * midnight in the workspace's zone.
 */
export const parseSessionListQuery = (raw: RawQuery, workspaceId: string, timeZone: string): SessionListQuery => {
  const q = new QueryReader(raw, parameters);
  const query: SessionListQuery = { limit: sessionListLimits.defaultLimit };

  for (const bound of ['from', 'to'] as const) {
    const value = q.single(bound);
    if (value === undefined) continue;
    const instant = /T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) ? parseIsoDateTime(value) : null;
    if (plainDate.test(value) && parseIsoDateTime(value) !== null) {
      query[bound] = startOfLocalDay(value, timeZone);
    } else if (instant !== null) {
      query[bound] = instant.toISOString();
    } else {
      q.fail(
        bound,
        'must be an ISO 8601 instant with Z or an offset, or a plain date YYYY-MM-DD (local midnight in the workspace time zone)',
      );
    }
  }
  if (query.from !== undefined && query.to !== undefined && query.from >= query.to) q.fail('to', 'must be after from');

  for (const id of ['staffId', 'clientId', 'serviceId'] as const) {
    const value = q.single(id);
    if (value === undefined) continue;
    if (objectIdPattern.test(value)) query[id] = value;
    else q.fail(id, 'must be a 24-character lowercase hexadecimal id');
  }

  const status = q.single('status');
  if (status !== undefined) {
    const list = status.split(',').map((s) => s.trim());
    if (list.length === 0 || list.some((s) => !(sessionStatuses as readonly string[]).includes(s))) {
      q.fail('status', `must be a comma-separated list of ${sessionStatuses.join(', ')}`);
    } else {
      query.status = [...new Set(list)].sort();
    }
  }

  const limit = q.limit(sessionListLimits.maxLimit);
  if (limit !== undefined) query.limit = limit;
  const cursor = q.single('cursor');
  q.throwIfInvalid();
  if (cursor !== undefined) query.after = decodeSessionCursor(cursor, workspaceId, query);
  return query;
};

/**
 * How long before `from` a session that overlaps it may start: the longest session the
 * workspace has had, from the bounds the sessions view keeps beside its sessions (written with
 * them, so never behind them). A workspace the view did not see created (a read model built
 * before it kept bounds, until it is rebuilt) and one without sessions fall back to the longest a
 * session may last.
 */
export const sessionLookBehindMinutes = async (readModel: ReadModelStore, workspaceId: string): Promise<number> => {
  const bounds = (await readModel.find(sessionView.collection, workspaceId, sessionBoundsId(workspaceId))) as SessionBounds | null;
  if (bounds === null) return maxDurationMinutes;
  return bounds.sinceCreation ? bounds.longestMinutes : Math.max(bounds.longestMinutes, maxDurationMinutes);
};

/**
 * The read-model query. A session that overlaps `from` starts at most `lookBehindMinutes` before
 * it: the index range on startAt is bounded on both sides, and endAt is checked on the rows in
 * that range. Without `from` the range still starts somewhere (every startAt is a non-empty
 * string): the workspace's bounds document, which has none, is never listed.
 */
export const sessionReadQuery = (q: SessionListQuery, lookBehindMinutes: number): Query => {
  const where: Record<string, Condition> = {};
  const startAt: { gte: string; lt?: string } = { gte: '' };
  if (q.from !== undefined) {
    startAt.gte = new Date(Date.parse(q.from) - lookBehindMinutes * 60_000).toISOString();
    where.endAt = { gt: q.from };
  }
  if (q.to !== undefined) startAt.lt = q.to;
  where.startAt = startAt;
  if (q.staffId !== undefined) where.staffId = q.staffId;
  if (q.clientId !== undefined) where.clientId = q.clientId;
  if (q.serviceId !== undefined) where.serviceIds = q.serviceId;
  if (q.status !== undefined) where.status = { in: q.status };
  return { where, orderBy: 'startAt', limit: q.limit, ...(q.after ? { after: q.after } : {}) };
};

export interface SessionWarning {
  code: 'client-overlap';
  sessionIds: string[];
}

/**
 * A client booked twice at once is a warning, not an error: checked against the read model
 * (which may lag in the production profile: good enough for a warning, never for a refusal).
 */
export const clientOverlapWarnings = async (readModel: ReadModelStore, session: Document): Promise<SessionWarning[]> => {
  if (session.status === 'cancelled') return [];
  const startAt = String(session.startAt);
  const endAt = String(session.endAt);
  const page = await readModel.query('sessions', session.workspaceId, {
    where: {
      clientId: String(session.clientId),
      startAt: { gte: new Date(Date.parse(startAt) - maxDurationMinutes * 60_000).toISOString(), lt: endAt },
      endAt: { gt: startAt },
      status: { in: ['scheduled', 'in-progress', 'completed'] },
    },
    orderBy: 'startAt',
    limit: 100,
  });
  const others = page.documents.filter((d) => d.id !== session.id).map((d) => d.id);
  return others.length > 0 ? [{ code: 'client-overlap', sessionIds: others }] : [];
};

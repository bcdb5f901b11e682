/**
 * Audit endpoints: a session's history (sessions.audit) and the workspace's audit log
 * (audit.read), read from the event log itself. Query parameters are validated all at once;
 * unknown ones are a 400 so that a misspelt filter never silently widens an audit.
 */
import Router from '@koa/router';
import { auditPage, sessionHistory, type AuditFilter } from '../../audit/auditLog.js';
import { decodeCursor } from '../../audit/cursor.js';
import { parseIsoDateTime } from '../../commands/calendar.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { QueryReader, type RawQuery } from './queryString.js';
import type { RouteDeps } from './shared.js';

export const auditLimits = { defaultLimit: 100, maxLimit: 500, maxTypes: 20 } as const;

const auditParameters = ['type', 'actorId', 'from', 'to', 'limit', 'cursor'];
const eventTypePattern = /^[A-Za-z][A-Za-z0-9]{0,99}$/;

export interface AuditQuery extends AuditFilter {
  limit: number;
  after: bigint | null;
}

/** Validates the audit query string; throws one ValidationError listing every bad parameter. */
export const parseAuditQuery = (query: RawQuery, workspaceId: string): AuditQuery => {
  const q = new QueryReader(query, auditParameters);

  const result: AuditQuery = { limit: auditLimits.defaultLimit, after: null };

  const limit = q.limit(auditLimits.maxLimit);
  if (limit !== undefined) result.limit = limit;

  const rawTypes = query.type;
  if (rawTypes !== undefined) {
    const types = (Array.isArray(rawTypes) ? rawTypes : [rawTypes]).flatMap((t) => t.split(',')).map((t) => t.trim());
    if (types.some((t) => !eventTypePattern.test(t))) q.fail('type', 'must be event type names such as SessionCreated');
    else if (types.length > auditLimits.maxTypes) q.fail('type', `must name at most ${auditLimits.maxTypes} types`);
    else result.types = [...new Set(types)];
  }

  const actorId = q.single('actorId');
  if (actorId !== undefined) {
    if (actorId.length < 1 || actorId.length > 200) q.fail('actorId', 'must be 1 to 200 characters');
    else result.actorId = actorId;
  }

  for (const name of ['from', 'to'] as const) {
    const value = q.single(name);
    if (value === undefined) continue;
    const instant = parseIsoDateTime(value);
    if (!instant) q.fail(name, 'must be an ISO 8601 date or datetime naming a real calendar day');
    else result[name] = instant;
  }
  if (result.from && result.to && result.from.getTime() >= result.to.getTime()) {
    q.fail('to', 'must be later than from');
  }

  const cursor = q.single('cursor');
  if (cursor !== undefined) {
    try {
      result.after = decodeCursor(cursor, workspaceId);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      q.errors.push(...(error.errors ?? []));
    }
  }

  q.throwIfInvalid();
  return result;
};

export const auditRoutes = (deps: RouteDeps): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();

  router.get(
    '/v1/workspace/:workspaceId/sessions/:sessionId/history',
    authorize({ permission: 'sessions.audit', workspaceScoped: true }),
    async function getSessionHistory(ctx) {
      const { workspaceId, sessionId } = ctx.params as { workspaceId: string; sessionId: string };
      ctx.body = { sessionId, events: await sessionHistory(deps.commands.events, workspaceId, sessionId) };
    },
  );

  router.get(
    '/v1/workspace/:workspaceId/audit',
    authorize({ permission: 'audit.read', workspaceScoped: true }),
    async function getAuditLog(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const query = parseAuditQuery(ctx.query, workspaceId);
      if (!(await deps.commands.readModel.find('workspaces', workspaceId, workspaceId))) {
        throw new NotFoundError(`Workspace ${workspaceId} was not found.`);
      }
      ctx.body = await auditPage(deps.commands.events, { workspaceId, ...query });
    },
  );

  return router;
};

/**
 * Audit endpoints: a session's history (sessions.audit) and the workspace's audit log
 * (audit.read), read from the event log itself. Query parameters are validated all at once;
 * unknown ones are a 400 so that a misspelt filter never silently widens an audit.
 */
import Router from '@koa/router';
import { auditPage, sessionHistory, type AuditFilter } from '../../audit/auditLog.js';
import { decodeCursor } from '../../audit/cursor.js';
import { parseIsoDateTime } from '../../commands/calendar.js';
import { NotFoundError, ValidationError, type FieldError } from '../../errors.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import type { RouteDeps } from './shared.js';

export const auditLimits = { defaultLimit: 100, maxLimit: 500, maxTypes: 20 } as const;

const auditParameters = ['type', 'actorId', 'from', 'to', 'limit', 'cursor'];
const eventTypePattern = /^[A-Za-z][A-Za-z0-9]{0,99}$/;

export interface AuditQuery extends AuditFilter {
  limit: number;
  after: bigint | null;
}

type Query = Record<string, string | string[] | undefined>;

/** Validates the audit query string; throws one ValidationError listing every bad parameter. */
export const parseAuditQuery = (query: Query, workspaceId: string): AuditQuery => {
  const errors: FieldError[] = [];
  for (const name of Object.keys(query)) {
    if (!auditParameters.includes(name)) errors.push({ path: name, message: 'is not a known parameter' });
  }
  const single = (name: string): string | undefined => {
    const value = query[name];
    if (Array.isArray(value)) {
      errors.push({ path: name, message: 'must be given at most once' });
      return undefined;
    }
    return value;
  };

  const result: AuditQuery = { limit: auditLimits.defaultLimit, after: null };

  const limit = single('limit');
  if (limit !== undefined) {
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (!(n >= 1 && n <= auditLimits.maxLimit))
      errors.push({ path: 'limit', message: `must be a whole number from 1 to ${auditLimits.maxLimit}` });
    else result.limit = n;
  }

  const rawTypes = query.type;
  if (rawTypes !== undefined) {
    const types = (Array.isArray(rawTypes) ? rawTypes : [rawTypes]).flatMap((t) => t.split(',')).map((t) => t.trim());
    if (types.some((t) => !eventTypePattern.test(t)))
      errors.push({ path: 'type', message: 'must be event type names such as SessionCreated' });
    else if (types.length > auditLimits.maxTypes) errors.push({ path: 'type', message: `must name at most ${auditLimits.maxTypes} types` });
    else result.types = [...new Set(types)];
  }

  const actorId = single('actorId');
  if (actorId !== undefined) {
    if (actorId.length < 1 || actorId.length > 200) errors.push({ path: 'actorId', message: 'must be 1 to 200 characters' });
    else result.actorId = actorId;
  }

  for (const name of ['from', 'to'] as const) {
    const value = single(name);
    if (value === undefined) continue;
    const instant = parseIsoDateTime(value);
    if (!instant) errors.push({ path: name, message: 'must be an ISO 8601 date or datetime naming a real calendar day' });
    else result[name] = instant;
  }
  if (result.from && result.to && result.from.getTime() >= result.to.getTime()) {
    errors.push({ path: 'to', message: 'must be later than from' });
  }

  const cursor = single('cursor');
  if (cursor !== undefined) {
    try {
      result.after = decodeCursor(cursor, workspaceId);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...(error.errors ?? []));
    }
  }

  if (errors.length > 0) {
    throw new ValidationError(`The query has invalid parameters: ${[...new Set(errors.map((e) => e.path))].join(', ')}.`, errors);
  }
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

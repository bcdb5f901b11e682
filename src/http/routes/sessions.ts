/**
 * Sessions: create, read, list, edit (JSON merge patch) and the status actions. Every response
 * that carries a session sends its version as the ETag; every change to an existing session needs
 * If-Match with it (428 without, 412 when stale), and honours Idempotency-Key.
 */
import Router from '@koa/router';
import * as yup from 'yup';
import { parseCancelSession } from '../../commands/cancelSession.js';
import { parseCreateSession } from '../../commands/createSession.js';
import { cancelSessionSpec, completeSessionSpec, createSessionSpec, startSessionSpec, updateSessionSpec } from '../../commands/session.js';
import { parseUpdateSession } from '../../commands/updateSession.js';
import { objectIdPattern, validate } from '../../commands/validation.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { sessionView } from '../../projections/sessionView.js';
import type { Document } from '../../stores/readModel.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { jsonBody } from '../middleware/jsonBody.js';
import {
  clientOverlapWarnings,
  encodeSessionCursor,
  parseSessionListQuery,
  sessionLookBehindMinutes,
  sessionReadQuery,
  type SessionWarning,
} from './sessionList.js';
import {
  executeCommand,
  findOr404,
  parseChangeRequest,
  parseCreateRequest,
  respondCreated,
  type RouteDeps,
  type WriteOutcome,
} from './shared.js';

const etagOf = (document: Document): string => `"${String(document.version)}"`;

const respondSession = (ctx: AppContext, outcome: WriteOutcome, warnings: SessionWarning[] = []): void => {
  ctx.status = 200;
  ctx.set('ETag', etagOf(outcome.document));
  if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
  ctx.body = { session: outcome.document, ...(warnings.length > 0 ? { warnings } : {}) };
};

/** Overbooking on purpose needs its own permission (403), checked as soon as the body says so. */
const requireOverbookPermission = (ctx: AppContext): void => {
  const body = ctx.request.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && body.allowOverlap === true && !ctx.state.principal?.permissions.includes('sessions.overbook')) {
    throw new ForbiddenError('Booking over another session of the staff member (allowOverlap) needs the sessions.overbook permission.');
  }
};

/** 404 before anything else is checked when the path names no session of this workspace. */
const sessionIdOf = (ctx: AppContext): string => {
  const { sessionId } = ctx.params as { sessionId: string };
  if (!objectIdPattern.test(sessionId)) throw new NotFoundError(`Session ${sessionId} was not found in this workspace.`);
  return sessionId;
};

export const sessionRoutes = (deps: RouteDeps): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  const base = '/v1/workspace/:workspaceId/sessions';
  const body = jsonBody({ limitBytes: deps.bodyLimitBytes });
  const optionalBody = jsonBody({ limitBytes: deps.bodyLimitBytes, optional: true });

  router.post(base, authorize({ permission: 'sessions.create', workspaceScoped: true }), body, async function createSession(ctx) {
    const { workspaceId } = ctx.params as { workspaceId: string };
    requireOverbookPermission(ctx);
    const { input, request } = parseCreateRequest(ctx, workspaceId, parseCreateSession);
    const outcome = await executeCommand(deps, createSessionSpec(deps.commands.readModel, workspaceId, input), request, sessionView);
    ctx.set('ETag', etagOf(outcome.document));
    respondCreated(ctx, 'session', `/v1/workspace/${workspaceId}/sessions/${outcome.document.id}`, outcome);
    const warnings = await clientOverlapWarnings(deps.commands.readModel, outcome.document);
    if (warnings.length > 0) ctx.body = { ...(ctx.body as object), warnings };
  });

  router.get(base, authorize({ permission: 'sessions.read', workspaceScoped: true }), async function listSessions(ctx) {
    const { workspaceId } = ctx.params as { workspaceId: string };
    const workspace = await findOr404(deps, 'workspaces', workspaceId, workspaceId, 'Workspace');
    const query = parseSessionListQuery(ctx.query, workspaceId, String(workspace.timeZone));
    const lookBehind = query.from === undefined ? 0 : await sessionLookBehindMinutes(deps.commands.readModel, workspaceId);
    const page = await deps.commands.readModel.query('sessions', workspaceId, sessionReadQuery(query, lookBehind));
    ctx.body = { sessions: page.documents, nextCursor: page.next ? encodeSessionCursor(workspaceId, query, page.next) : null };
  });

  router.get(`${base}/:sessionId`, authorize({ permission: 'sessions.read', workspaceScoped: true }), async function getSession(ctx) {
    const { workspaceId, sessionId } = ctx.params as { workspaceId: string; sessionId: string };
    const session = await findOr404(deps, 'sessions', workspaceId, sessionId, 'Session');
    const etag = etagOf(session);
    ctx.set('ETag', etag);
    const ifNoneMatch = ctx.get('If-None-Match');
    if (ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))) {
      ctx.status = 304;
      return;
    }
    ctx.body = { session };
  });

  router.patch(
    `${base}/:sessionId`,
    authorize({ permission: 'sessions.update', workspaceScoped: true }),
    body,
    async function updateSession(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const sessionId = sessionIdOf(ctx);
      requireOverbookPermission(ctx);
      const { input, request } = parseChangeRequest(ctx, workspaceId, parseUpdateSession);
      const outcome = await executeCommand(
        deps,
        updateSessionSpec(deps.commands.readModel, workspaceId, sessionId, input),
        request,
        sessionView,
      );
      respondSession(ctx, outcome, await clientOverlapWarnings(deps.commands.readModel, outcome.document));
    },
  );

  const action = (name: 'start' | 'complete', spec: typeof startSessionSpec) =>
    router.post(
      `${base}/:sessionId/${name}`,
      authorize({ permission: 'sessions.update', workspaceScoped: true }),
      optionalBody,
      async function sessionAction(ctx) {
        const { workspaceId } = ctx.params as { workspaceId: string };
        const sessionId = sessionIdOf(ctx);
        const { request } = parseChangeRequest(ctx, workspaceId, parseEmptyBody);
        respondSession(ctx, await executeCommand(deps, spec(workspaceId, sessionId), request, sessionView));
      },
    );
  action('start', startSessionSpec);
  action('complete', completeSessionSpec);

  router.post(
    `${base}/:sessionId/cancel`,
    authorize({ permission: 'sessions.cancel', workspaceScoped: true }),
    body,
    async function cancelSession(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const sessionId = sessionIdOf(ctx);
      const { input, request } = parseChangeRequest(ctx, workspaceId, parseCancelSession);
      respondSession(ctx, await executeCommand(deps, cancelSessionSpec(workspaceId, sessionId, input), request, sessionView));
    },
  );

  return router;
};

/** The body of start and complete: `{}` or none at all. */
const parseEmptyBody = (body: unknown): Record<string, never> => {
  validate(yup.object({}), body ?? {}, []);
  return {};
};

import Router from '@koa/router';
import { parseCreateSession } from '../../commands/createSession.js';
import { createSessionSpec } from '../../commands/session.js';
import { sessionView } from '../../projections/sessionView.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { executeCommand, findOr404, parseCreateRequest, respondCreated, type RouteDeps } from './shared.js';

export const sessionRoutes = (deps: RouteDeps): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();

  router.post(
    '/v1/workspace/:workspaceId/sessions',
    authorize({ permission: 'sessions.create', workspaceScoped: true }),
    jsonBody({ limitBytes: deps.bodyLimitBytes }),
    async function createSession(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const { input, request } = parseCreateRequest(ctx, workspaceId, parseCreateSession);
      const outcome = await executeCommand(deps, createSessionSpec(deps.commands.readModel, workspaceId, input), request, sessionView);
      respondCreated(ctx, 'session', `/v1/workspace/${workspaceId}/sessions/${outcome.document.id}`, outcome);
    },
  );

  router.get(
    '/v1/workspace/:workspaceId/sessions/:sessionId',
    authorize({ permission: 'sessions.read', workspaceScoped: true }),
    async function getSession(ctx) {
      const { workspaceId, sessionId } = ctx.params as { workspaceId: string; sessionId: string };
      ctx.body = { session: await findOr404(deps, 'sessions', workspaceId, sessionId, 'Session') };
    },
  );

  return router;
};

import Router from '@koa/router';
import { parseChangeWorkspace } from '../../commands/changeWorkspace.js';
import { parseCreateWorkspace } from '../../commands/createWorkspace.js';
import { changeWorkspaceSpec, createWorkspaceSpec } from '../../commands/workspace.js';
import { publicWorkspace, workspaceView, type WorkspaceView } from '../../projections/workspaceView.js';
import type { Document } from '../../stores/readModel.js';
import { principalOf, type AppContext, type AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { jsonBody } from '../middleware/jsonBody.js';
import {
  executeCommand,
  findOr404,
  parseChangeRequest,
  parseCreateRequest,
  respondCreated,
  respondWithEtag,
  type RouteDeps,
} from './shared.js';

const view = (doc: Document) => publicWorkspace(doc as WorkspaceView);

export const workspaceRoutes = (deps: RouteDeps): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();

  router.post(
    '/v1/workspaces',
    authorize({ permission: 'workspaces.create', platformOnly: true }),
    jsonBody({ limitBytes: deps.bodyLimitBytes }),
    async function createWorkspace(ctx) {
      // Platform requests have no workspace: idempotency keys are scoped to the user instead.
      const { input, request } = parseCreateRequest(ctx, `platform:${principalOf(ctx).userId}`, parseCreateWorkspace);
      const outcome = await executeCommand(deps, createWorkspaceSpec(input), request, workspaceView);
      ctx.set('ETag', `"${String(outcome.document.version)}"`);
      respondCreated(ctx, 'workspace', `/v1/workspace/${outcome.document.id}`, outcome, view);
    },
  );

  router.get('/v1/workspace/:workspaceId', authorize({ workspaceScoped: true }), async function getWorkspace(ctx) {
    const { workspaceId } = ctx.params as { workspaceId: string };
    respondWithEtag(
      ctx,
      'workspace',
      { document: await findOr404(deps, 'workspaces', workspaceId, workspaceId, 'Workspace'), replayed: false },
      view,
    );
  });

  router.patch(
    '/v1/workspace/:workspaceId',
    authorize({ permission: 'workspaces.update', workspaceScoped: true }),
    jsonBody({ limitBytes: deps.bodyLimitBytes }),
    async function changeWorkspace(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const { input, request } = parseChangeRequest(ctx, workspaceId, parseChangeWorkspace);
      const outcome = await executeCommand(deps, changeWorkspaceSpec(workspaceId, input), request, workspaceView);
      respondWithEtag(ctx, 'workspace', outcome, view);
    },
  );

  return router;
};

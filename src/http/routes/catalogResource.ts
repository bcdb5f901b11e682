/** Clients, services and staff share one route shape: POST to create, GET one by id. */
import Router from '@koa/router';
import type { AggregateCommand } from '../../commands/handle.js';
import type { Projection } from '../../projections/projection.js';
import type { EventToAppend } from '../../stores/eventStore.js';
import type { ReadModelStore } from '../../stores/readModel.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { executeCommand, findOr404, parseCreateRequest, respondCreated, type RouteDeps } from './shared.js';

export interface CatalogResource<Input> {
  /** Path segment and read-model collection, e.g. `clients`. */
  collection: string;
  /** Permission prefix, e.g. `clients` for clients.create / clients.read. */
  permissions: 'clients' | 'services' | 'staff';
  /** Key of the response body, e.g. `client`. */
  responseKey: string;
  /** For messages: "Client 64f… was not found". */
  label: string;
  parse: (body: unknown) => Input;
  spec: (readModel: ReadModelStore, workspaceId: string, input: Input) => AggregateCommand<unknown, EventToAppend, unknown, unknown>;
  /** The projection whose document a create answers with. */
  projection: Projection;
}

export const catalogResourceRoutes = <Input>(deps: RouteDeps, resource: CatalogResource<Input>): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  const { collection, permissions, responseKey, label } = resource;

  router.post(
    `/v1/workspace/:workspaceId/${collection}`,
    authorize({ permission: `${permissions}.create`, workspaceScoped: true }),
    jsonBody({ limitBytes: deps.bodyLimitBytes }),
    async function createCatalogEntry(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const { input, request } = parseCreateRequest(ctx, workspaceId, resource.parse);
      const outcome = await executeCommand(deps, resource.spec(deps.commands.readModel, workspaceId, input), request, resource.projection);
      respondCreated(ctx, responseKey, `/v1/workspace/${workspaceId}/${collection}/${outcome.document.id}`, outcome);
    },
  );

  router.get(
    `/v1/workspace/:workspaceId/${collection}/:id`,
    authorize({ permission: `${permissions}.read`, workspaceScoped: true }),
    async function getCatalogEntry(ctx) {
      const { workspaceId, id } = ctx.params as { workspaceId: string; id: string };
      ctx.body = { [responseKey]: await findOr404(deps, collection, workspaceId, id, label) };
    },
  );

  return router;
};

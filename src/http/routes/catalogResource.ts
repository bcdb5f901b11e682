/**
 * Clients, services and staff share one route shape: POST to create, GET one by id, GET the list,
 * PATCH, and POST …/archive and …/unarchive. Every response that carries an entry sends its
 * version as the ETag; every change needs If-Match with it (428 without, 412 when stale) and
 * honours Idempotency-Key, as sessions do.
 */
import Router from '@koa/router';
import * as yup from 'yup';
import type { AggregateCommand } from '../../commands/handle.js';
import { objectIdPattern, validate } from '../../commands/validation.js';
import { NotFoundError } from '../../errors.js';
import { withoutNameKeys } from '../../projections/nameKeys.js';
import type { Projection } from '../../projections/projection.js';
import type { EventToAppend } from '../../stores/eventStore.js';
import type { Document, ReadModelStore } from '../../stores/readModel.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { jsonBody } from '../middleware/jsonBody.js';
import { encodeCatalogCursor, parseCatalogListQuery, readCatalogList } from './catalogList.js';
import {
  executeCommand,
  findOr404,
  parseChangeRequest,
  parseCreateRequest,
  respondCreated,
  respondWithEtag,
  type RouteDeps,
} from './shared.js';

type Spec = AggregateCommand<unknown, EventToAppend, unknown, unknown>;

export interface CatalogResource<Input, Patch> {
  /** Path segment, read-model collection and the list's response key, e.g. `clients`. */
  collection: 'clients' | 'services' | 'staff';
  /** Permission prefix, e.g. `clients` for clients.create / clients.read / clients.update. */
  permissions: 'clients' | 'services' | 'staff';
  /** Key of the response body, e.g. `client`. */
  responseKey: string;
  /** For messages: "Client 64f… was not found". */
  label: string;
  parse: (body: unknown) => Input;
  spec: (readModel: ReadModelStore, workspaceId: string, input: Input) => AggregateCommand<unknown, EventToAppend, unknown, unknown>;
  parseChange: (body: unknown) => Patch;
  change: (workspaceId: string, id: string, patch: Patch) => AggregateCommand<unknown, EventToAppend, unknown, unknown>;
  setArchived: (workspaceId: string, id: string, archived: boolean) => AggregateCommand<unknown, EventToAppend, unknown, unknown>;
  /** The list filters by `scope` (services). */
  scoped?: boolean;
  /** The projection whose document a write answers with. */
  projection: Projection;
}

/** The public shape of an entry. */
export const publicEntry = (doc: Document): Document => withoutNameKeys(doc) as Document;

/** The body of archive and unarchive: `{}` or none at all. */
const parseEmptyBody = (body: unknown): Record<string, never> => {
  validate(yup.object({}), body ?? {}, []);
  return {};
};

export const catalogResourceRoutes = <Input, Patch>(
  deps: RouteDeps,
  resource: CatalogResource<Input, Patch>,
): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  const { collection, permissions, responseKey, label } = resource;
  const base = `/v1/workspace/:workspaceId/${collection}`;
  const body = jsonBody({ limitBytes: deps.bodyLimitBytes });
  const optionalBody = jsonBody({ limitBytes: deps.bodyLimitBytes, optional: true });
  const update = authorize({ permission: `${permissions}.update`, workspaceScoped: true });

  /** 404 before anything else is checked when the path names no entry id. */
  const idOf = (ctx: AppContext): string => {
    const { id } = ctx.params as { id: string };
    if (!objectIdPattern.test(id)) throw new NotFoundError(`${label} ${id} was not found in this workspace.`);
    return id;
  };

  const change = async (
    ctx: AppContext,
    parse: (body: unknown) => unknown,
    spec: (workspaceId: string, id: string, input: never) => Spec,
  ) => {
    const { workspaceId } = ctx.params as { workspaceId: string };
    const id = idOf(ctx);
    const { input, request } = parseChangeRequest(ctx, workspaceId, parse);
    const outcome = await executeCommand(deps, spec(workspaceId, id, input as never), request, resource.projection);
    respondWithEtag(ctx, responseKey, outcome, publicEntry);
  };

  router.post(
    base,
    authorize({ permission: `${permissions}.create`, workspaceScoped: true }),
    body,
    async function createCatalogEntry(ctx) {
      const { workspaceId } = ctx.params as { workspaceId: string };
      const { input, request } = parseCreateRequest(ctx, workspaceId, resource.parse);
      const outcome = await executeCommand(deps, resource.spec(deps.commands.readModel, workspaceId, input), request, resource.projection);
      ctx.set('ETag', `"${String(outcome.document.version)}"`);
      respondCreated(ctx, responseKey, `/v1/workspace/${workspaceId}/${collection}/${outcome.document.id}`, outcome, publicEntry);
    },
  );

  router.get(base, authorize({ permission: `${permissions}.read`, workspaceScoped: true }), async function listCatalogEntries(ctx) {
    const { workspaceId } = ctx.params as { workspaceId: string };
    await findOr404(deps, 'workspaces', workspaceId, workspaceId, 'Workspace');
    const query = parseCatalogListQuery(ctx.query, collection, workspaceId, resource.scoped ?? false);
    const page = await readCatalogList(deps.commands.readModel, collection, workspaceId, query);
    ctx.body = {
      [collection]: page.documents.map(publicEntry),
      nextCursor: page.next ? encodeCatalogCursor(collection, workspaceId, query, page.next) : null,
    };
  });

  router.get(`${base}/:id`, authorize({ permission: `${permissions}.read`, workspaceScoped: true }), async function getCatalogEntry(ctx) {
    const { workspaceId, id } = ctx.params as { workspaceId: string; id: string };
    const entry = await findOr404(deps, collection, workspaceId, id, label);
    respondWithEtag(ctx, responseKey, { document: entry, replayed: false }, publicEntry);
  });

  router.patch(`${base}/:id`, update, body, async function changeCatalogEntry(ctx) {
    await change(ctx, resource.parseChange, resource.change);
  });

  for (const [action, archived] of [
    ['archive', true],
    ['unarchive', false],
  ] as const) {
    router.post(`${base}/:id/${action}`, update, optionalBody, async function setCatalogEntryArchived(ctx) {
      await change(ctx, parseEmptyBody, (workspaceId, id) => resource.setArchived(workspaceId, id, archived));
    });
  }

  return router;
};

/** What every route module receives, and the two response shapes every resource shares. */
import type { CreateOutcome, CommandDeps } from '../../commands/execute.js';
import { checkIdempotencyKey } from '../../commands/idempotency.js';
import { objectIdPattern } from '../../commands/validation.js';
import { NotFoundError } from '../../errors.js';
import type { Document } from '../../stores/readModel.js';
import { requestContext, type AppContext } from '../context.js';
import type { CreateRequest } from '../../commands/execute.js';

export interface RouteDeps {
  commands: CommandDeps;
  bodyLimitBytes: number;
}

/** The facts of a create request: who, which request, and its idempotency key (validated: 400 when malformed). */
export const createRequest = (ctx: AppContext, scope: string): CreateRequest => {
  const key = checkIdempotencyKey(ctx.get('Idempotency-Key') || undefined);
  return { context: requestContext(ctx), scope, body: ctx.request.body, ...(key === undefined ? {} : { idempotencyKey: key }) };
};

export const respondCreated = (ctx: AppContext, name: string, location: string, outcome: CreateOutcome, view: (doc: Document) => unknown = (d) => d): void => {
  ctx.status = 201;
  ctx.set('Location', location);
  if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
  ctx.body = { [name]: view(outcome.document) };
};

/** Reads one document of the path's workspace; 404 when it does not exist there (or the id is malformed). */
export const findOr404 = async (
  deps: RouteDeps,
  collection: string,
  workspaceId: string,
  id: string,
  what: string,
): Promise<Document> => {
  const document = objectIdPattern.test(id) ? await deps.commands.readModel.find(collection, workspaceId, id) : null;
  if (!document) throw new NotFoundError(`${what} ${id} was not found in this workspace.`);
  return document;
};

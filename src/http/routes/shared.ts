/** What every route module receives, and the two response shapes every resource shares. */
import type { CreateOutcome, CommandDeps } from '../../commands/execute.js';
import { checkIdempotencyKey } from '../../commands/idempotency.js';
import { objectIdPattern } from '../../commands/validation.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Document } from '../../stores/readModel.js';
import { requestContext, type AppContext } from '../context.js';
import type { CreateRequest } from '../../commands/execute.js';

export interface RouteDeps {
  commands: CommandDeps;
  bodyLimitBytes: number;
}

/**
 * Validates a create request: the body (through `parse`) and the Idempotency-Key header, listing
 * the failures of both in one 400. Returns the command input and the request facts.
 */
export const parseCreateRequest = <Input>(
  ctx: AppContext,
  scope: string,
  parse: (body: unknown) => Input,
): { input: Input; request: CreateRequest } => {
  const attempt = <T>(run: () => T): { value: T } | { error: ValidationError } => {
    try {
      return { value: run() };
    } catch (error) {
      if (error instanceof ValidationError) return { error };
      throw error;
    }
  };
  const body = attempt(() => parse(ctx.request.body));
  const key = attempt(() => checkIdempotencyKey(ctx.get('Idempotency-Key') || undefined));
  if ('error' in body && 'error' in key) {
    throw new ValidationError(body.error.message, [...(body.error.errors ?? []), ...(key.error.errors ?? [])]);
  }
  if ('error' in body) throw body.error;
  if ('error' in key) throw key.error;
  return {
    input: body.value,
    request: {
      context: requestContext(ctx),
      scope,
      body: ctx.request.body,
      ...(key.value === undefined ? {} : { idempotencyKey: key.value }),
    },
  };
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

/** What every route module receives, the request parsing and response shapes every resource shares. */
import { handleCommand, type AggregateCommand, type CommandDeps, type CommandRequest } from '../../commands/handle.js';
import { checkIdempotencyKey, idempotencyScope } from '../../commands/idempotency.js';
import { objectIdPattern } from '../../commands/validation.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Projection } from '../../projections/projection.js';
import { documentAfter, type ReadBackDeps } from '../../projections/readBack.js';
import type { Document } from '../../stores/readModel.js';
import type { EventToAppend } from '../../stores/eventStore.js';
import { requestContext, type AppContext } from '../context.js';

export interface RouteDeps {
  commands: CommandDeps;
  /** How a write reads back the document it answers with. */
  reads: ReadBackDeps;
  bodyLimitBytes: number;
}

export interface WriteOutcome {
  document: Document;
  /** True when this answered a repeat of an earlier idempotent request. */
  replayed: boolean;
  /** The aggregate's version after the command. */
  version: number;
}

/** Runs a command through the one command path and reads back the document it answers with. */
export const executeCommand = async <Command, Event extends EventToAppend, State, Context>(
  deps: RouteDeps,
  spec: AggregateCommand<Command, Event, State, Context>,
  request: CommandRequest,
  projection: Projection,
): Promise<WriteOutcome> => {
  const outcome = await handleCommand(deps.commands, spec, request);
  return { document: await documentAfter(deps.reads, projection, outcome), replayed: outcome.replayed, version: outcome.version };
};

/**
 * Validates a create request: the body (through `parse`) and the Idempotency-Key header, listing
 * the failures of both in one 400. Returns the command input and the request facts.
 */
export const parseCreateRequest = <Input>(
  ctx: AppContext,
  scope: string,
  parse: (body: unknown) => Input,
): { input: Input; request: CommandRequest } => {
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
  const context = requestContext(ctx);
  return {
    input: body.value,
    request: {
      context,
      scope: idempotencyScope(scope, context.actor.userId),
      body: ctx.request.body,
      ...(key.value === undefined ? {} : { idempotencyKey: key.value }),
    },
  };
};

/**
 * The version an If-Match names (`"3"`), null when the header is absent (a 428 if the command
 * needs it). A header that names no version of ours is a 400.
 */
export const expectedVersionOf = (ctx: AppContext): number | null => {
  const header = ctx.get('If-Match').trim();
  if (header === '') return null;
  const match = /^"(\d{1,9})"$/.exec(header);
  if (!match) {
    throw new ValidationError('The If-Match header must be the ETag of the resource as you last read it, e.g. "3".', [
      { path: 'If-Match', message: 'must be one ETag such as "3" (the version you read)' },
    ]);
  }
  return Number(match[1]);
};

/** A change to an existing resource: a create request's checks, plus If-Match. */
export const parseChangeRequest = <Input>(
  ctx: AppContext,
  scope: string,
  parse: (body: unknown) => Input,
): { input: Input; request: CommandRequest } => {
  const parsed = parseCreateRequest(ctx, scope, parse);
  return { input: parsed.input, request: { ...parsed.request, expectedVersion: expectedVersionOf(ctx) } };
};

export const respondCreated = (
  ctx: AppContext,
  name: string,
  location: string,
  outcome: WriteOutcome,
  view: (doc: Document) => unknown = (d) => d,
): void => {
  ctx.status = 201;
  ctx.set('Location', location);
  if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
  ctx.body = { [name]: view(outcome.document) };
};

/**
 * A 200 with the resource and its version as the ETag; a 304 for a GET whose If-None-Match names
 * that version.
 */
export const respondWithEtag = (
  ctx: AppContext,
  name: string,
  outcome: Pick<WriteOutcome, 'document' | 'replayed'>,
  view: (doc: Document) => unknown = (d) => d,
): void => {
  const etag = `"${String(outcome.document.version)}"`;
  ctx.set('ETag', etag);
  if (outcome.replayed) ctx.set('Idempotent-Replayed', 'true');
  const ifNoneMatch = ctx.method === 'GET' ? ctx.get('If-None-Match') : '';
  if (ifNoneMatch && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag))) {
    ctx.status = 304;
    return;
  }
  ctx.status = 200;
  ctx.body = { [name]: view(outcome.document) };
};

/** Reads one document of the path's workspace; 404 when it does not exist there (or the id is malformed). */
export const findOr404 = async (deps: RouteDeps, collection: string, workspaceId: string, id: string, what: string): Promise<Document> => {
  const document = objectIdPattern.test(id) ? await deps.commands.readModel.find(collection, workspaceId, id) : null;
  if (!document) throw new NotFoundError(`${what} ${id} was not found in this workspace.`);
  return document;
};

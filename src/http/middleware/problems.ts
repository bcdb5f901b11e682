/**
 * The one place errors become HTTP: application/problem+json (RFC 9457). Client errors carry
 * their message; anything else is a 500 with a generic detail, logged with the request id.
 */
import type { Next } from 'koa';
import { AppError, ConflictError, StoreUnavailableError } from '../../errors.js';
import { ConcurrencyError } from '../../stores/eventStore.js';
import type { AppContext } from '../context.js';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
}

export const problemType = (code: string): string => `/problems/${code}`;

export const sendProblem = (ctx: AppContext, problem: Problem): void => {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = { ...problem, instance: ctx.path, requestId: ctx.state.requestId };
  if (problem.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
};

const toProblem = (error: unknown): Problem | null => {
  if (error instanceof ConcurrencyError) error = new ConflictError('Another request changed this resource at the same time; retry the request.');
  if (error instanceof AppError) {
    return {
      type: problemType(error.code),
      title: titles[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      ...(error.errors ? { errors: error.errors } : {}),
      ...error.problemExtensions(),
    };
  }
  return null;
};

export const problems = () =>
  async function problemsMiddleware(ctx: AppContext, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendProblem(ctx, { type: problemType('not-found'), title: titles[404]!, status: 404, detail: `No route for ${ctx.method} ${ctx.path}.` });
      } else if (ctx.status === 405 && (ctx.body === undefined || typeof ctx.body === 'string')) {
        sendProblem(ctx, { type: problemType('method-not-allowed'), title: titles[405]!, status: 405, detail: `${ctx.method} is not allowed on ${ctx.path}.` });
      }
    } catch (error) {
      const problem = toProblem(error);
      if (problem) {
        sendProblem(ctx, problem);
        if (error instanceof AppError) ctx.set(error.problemHeaders());
        // Logged, as the cause is the operator's to see: the client is told only to retry later.
        if (error instanceof StoreUnavailableError) ctx.state.log.warn({ err: error.cause ?? error }, 'store unavailable');
        return;
      }
      ctx.state.log.error({ err: error }, 'unhandled error');
      sendProblem(ctx, {
        type: problemType('internal-error'),
        title: titles[500]!,
        status: 500,
        detail: `The server failed to handle this request. Quote request id ${ctx.state.requestId} when reporting it.`,
      });
    }
  };

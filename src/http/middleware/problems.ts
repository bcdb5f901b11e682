/**
 * The one place errors become HTTP: application/problem+json (RFC 9457). Client errors carry
 * their message; anything else is a 500 with a generic detail, logged with the request id.
 */
import type { Next } from 'koa';
import { AppError, ConflictError, maxListedErrors, StoreUnavailableError } from '../../errors.js';
import { ConcurrencyError } from '../../stores/eventStore.js';
import type { AppContext } from '../context.js';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export const problemTitle = (status: number): string => titles[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  [extension: string]: unknown;
  /** How many problems were found beyond those listed in `errors`. */
  errorsNotListed?: number;
}

export const problemType = (code: string): string => `/problems/${code}`;

export const sendProblem = (ctx: AppContext, problem: Problem): void => {
  ctx.status = problem.status;
  ctx.type = 'application/problem+json';
  ctx.body = { ...problem, instance: ctx.path, requestId: ctx.state.requestId };
  if (problem.status === 401) ctx.set('WWW-Authenticate', 'Bearer');
};

const toProblem = (error: unknown): Problem | null => {
  if (error instanceof ConcurrencyError)
    error = new ConflictError('Another request changed this resource at the same time; retry the request.');
  if (error instanceof AppError) {
    // Lists are capped here too, whoever built them, so that no error body grows with the request.
    const errors = error.errors?.slice(0, maxListedErrors);
    const notListed = error.errorsNotListed + Math.max(0, (error.errors?.length ?? 0) - maxListedErrors);
    return {
      type: problemType(error.code),
      title: problemTitle(error.status),
      status: error.status,
      detail: error.message,
      ...(errors ? { errors } : {}),
      ...error.problemExtensions(),
      ...(notListed > 0 ? { errorsNotListed: notListed } : {}),
    };
  }
  // A client error raised by a library (http-errors, `expose` set) keeps its status, as a problem.
  const status = (error as { status?: unknown; expose?: unknown } | null)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (error as { expose?: unknown }).expose === true) {
    return { type: problemType('error'), title: problemTitle(status), status, detail: (error as Error).message || problemTitle(status) };
  }
  return null;
};

export const problems = () =>
  async function problemsMiddleware(ctx: AppContext, next: Next): Promise<void> {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        sendProblem(ctx, {
          type: problemType('not-found'),
          title: problemTitle(404),
          status: 404,
          detail: `No route for ${ctx.method} ${ctx.path}.`,
        });
      } else if (ctx.status >= 400 && (ctx.body === undefined || ctx.body === null || typeof ctx.body === 'string')) {
        // Anything else that answered an error without a problem body (a library's default) gets one.
        const code = ctx.status === 405 ? 'method-not-allowed' : ctx.status === 501 ? 'not-implemented' : 'error';
        sendProblem(ctx, {
          type: problemType(code),
          title: problemTitle(ctx.status),
          status: ctx.status,
          detail: `${ctx.method} ${ctx.path} answered ${ctx.status}.`,
        });
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
        title: problemTitle(500),
        status: 500,
        detail: `The server failed to handle this request. Quote request id ${ctx.state.requestId} when reporting it.`,
      });
    }
  };

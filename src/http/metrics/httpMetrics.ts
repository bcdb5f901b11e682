import type { Next } from 'koa';
import type { AppContext } from '../context.js';
import type { ServiceMetrics } from './serviceMetrics.js';

const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label for requests no route matched, so that probing random paths cannot grow the series without bound. */
export const unmatchedRoute = '(unmatched)';

/** The route template @koa/router matched (`/v1/workspace/:workspaceId/sessions`), never the raw path. */
export const routeTemplate = (ctx: AppContext): string => {
  const matched = (ctx as AppContext & { _matchedRoute?: string | RegExp })._matchedRoute;
  return typeof matched === 'string' ? matched : unmatchedRoute;
};

/** Times every request by method, route template and final status, and counts those in flight. */
export const httpMetrics = (options: { metrics: ServiceMetrics }) => {
  const { httpRequestDuration, httpRequestsInFlight } = options.metrics;
  return async function httpMetricsMiddleware(ctx: AppContext, next: Next): Promise<void> {
    httpRequestsInFlight.inc();
    const stop = httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      httpRequestsInFlight.dec();
      stop({ method: knownMethods.has(ctx.method) ? ctx.method : 'OTHER', route: routeTemplate(ctx), status: String(ctx.status) });
    }
  };
};

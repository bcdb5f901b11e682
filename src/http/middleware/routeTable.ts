/**
 * Answers what no route can: an unknown path is a 404, a known path with a method it does not
 * have a 405 with `Allow`, and OPTIONS lists the methods (204). Runs after authentication, before
 * any route, so a route never sees a method it does not have.
 */
import type Router from '@koa/router';
import type { Next } from 'koa';
import { MethodNotAllowedError, NotFoundError } from '../../errors.js';
import type { AppContext, AppState } from '../context.js';

export const routeTable = (routers: readonly Router<AppState, AppContext>[]) =>
  async function routeTableMiddleware(ctx: AppContext, next: Next): Promise<void> {
    const allowed = new Set<string>();
    let matchedMethod = false;
    for (const router of routers) {
      const match = router.match(ctx.path, ctx.method);
      for (const layer of match.path) for (const method of layer.methods) allowed.add(method);
      if (match.route) matchedMethod = true;
    }
    if (allowed.size === 0) throw new NotFoundError(`No route for ${ctx.method} ${ctx.path}.`);
    allowed.add('OPTIONS');
    const allow = [...allowed].sort();
    if (ctx.method === 'OPTIONS') {
      ctx.status = 204;
      ctx.set('Allow', allow.join(', '));
      return;
    }
    if (!matchedMethod)
      throw new MethodNotAllowedError(`${ctx.method} is not allowed on ${ctx.path}; allowed: ${allow.join(', ')}.`, allow);
    await next();
  };

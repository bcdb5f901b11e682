import Router from '@koa/router';
import type { AppContext, AppState } from '../context.js';

/** Resolves with per-store details; rejects (or reports ok: false) when a store does not answer. */
export type HealthCheck = () => Promise<{ ok: boolean; checks: Record<string, unknown> }>;

export const healthRoutes = (check: HealthCheck): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  router.get('/healthz', async function health(ctx) {
    try {
      const result = await check();
      ctx.status = result.ok ? 200 : 503;
      ctx.body = { status: result.ok ? 'ok' : 'unavailable', checks: result.checks };
    } catch (error) {
      ctx.state.log.error({ err: error }, 'health check failed');
      ctx.status = 503;
      ctx.body = { status: 'unavailable' };
    }
  });
  return router;
};

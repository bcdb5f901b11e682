/**
 * GET /readyz, the readiness probe: 200 when every store answers and no projection is more than
 * `maxProjectionLag` events behind the log; 503 with the reasons otherwise. /healthz stays the
 * liveness probe (is the process serving at all), so a lagging projector takes an instance out of
 * a load balancer without getting it restarted.
 */
import Router from '@koa/router';
import type { AppContext, AppState } from '../context.js';
import type { ProjectionProgressReport } from '../metrics/serviceMetrics.js';
import type { HealthCheck } from './health.js';

export interface ReadinessDeps {
  health: HealthCheck;
  projections: () => Promise<readonly ProjectionProgressReport[]>;
  maxProjectionLag: number;
}

export const readinessRoutes = (deps: ReadinessDeps): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  router.get('/readyz', async function readiness(ctx) {
    const reasons: string[] = [];
    let checks: Record<string, unknown> = {};
    let projections: { projection: string; checkpoint: string | null; lag: number }[] = [];
    try {
      const health = await deps.health();
      checks = health.checks;
      if (!health.ok) reasons.push('a store does not answer');
      else {
        projections = (await deps.projections()).map((p) => ({
          projection: p.projection,
          checkpoint: p.checkpoint?.toString() ?? null,
          lag: p.lag,
        }));
        for (const p of projections) {
          if (p.lag > deps.maxProjectionLag)
            reasons.push(`projection ${p.projection} is ${p.lag} events behind (at most ${deps.maxProjectionLag})`);
        }
      }
    } catch (error) {
      ctx.state.log.error({ err: error }, 'readiness check failed');
      reasons.push('the readiness check failed');
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.status = reasons.length === 0 ? 200 : 503;
    ctx.body = {
      status: reasons.length === 0 ? 'ready' : 'not-ready',
      reasons,
      maxProjectionLag: deps.maxProjectionLag,
      projections,
      checks,
    };
  });
  return router;
};

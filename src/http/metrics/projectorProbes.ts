/**
 * /healthz and /readyz of the projector process, on its METRICS_PORT listener. Liveness is the
 * API's: the process serves and its stores answer. Readiness says the process does its part: it
 * holds the lease and follows the log, or it waits as a standby to take over; it is not ready
 * before it has started, while it backs off after a dropped subscription, once stopping, or while
 * a store does not answer.
 */
import Router from '@koa/router';
import type { ProjectorStatus } from '../../projections/asyncProjector.js';
import type { AppContext, AppState } from '../context.js';
import { healthRoutes, type HealthCheck } from '../routes/health.js';

export interface ProjectorProbeDeps {
  health: HealthCheck;
  status: () => ProjectorStatus;
}

/** Why the projector is not ready, or nothing when it is. */
export const projectorNotReadyReasons = (status: ProjectorStatus): string[] => {
  if (status.state === 'subscribed' && status.holdsLease) return [];
  if (status.state === 'waiting-for-lease') return [];
  if (status.state === 'subscribed') return ['the projector lost the lease and has not gone back to waiting for it yet'];
  if (status.state === 'backing-off') return [`the subscription dropped; resubscribing (${status.lastError ?? 'no error'})`];
  return [`the projector is ${status.state}`];
};

export const projectorProbeRoutes = (deps: ProjectorProbeDeps): Router<AppState, AppContext>[] => {
  const readiness = new Router<AppState, AppContext>();
  readiness.get('/readyz', async function projectorReadiness(ctx) {
    const reasons: string[] = [];
    let checks: Record<string, unknown> = {};
    try {
      const health = await deps.health();
      checks = health.checks;
      if (!health.ok) reasons.push('a store does not answer');
    } catch (error) {
      ctx.state.log.error({ err: error }, 'readiness check failed');
      reasons.push('the readiness check failed');
    }
    const status = deps.status();
    reasons.push(...projectorNotReadyReasons(status));
    ctx.set('Cache-Control', 'no-store');
    ctx.status = reasons.length === 0 ? 200 : 503;
    ctx.body = {
      status: reasons.length === 0 ? 'ready' : 'not-ready',
      role: status.holdsLease ? 'writer' : 'standby',
      reasons,
      // As in /healthz: each store, and the projector's status.
      checks: { ...checks, projector: status },
    };
  });
  return [healthRoutes(deps.health), readiness];
};

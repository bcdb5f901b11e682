/**
 * GET /metrics in the Prometheus text format. On the API port it needs the configured bearer
 * token (compared in constant time); on the separate metrics port it is open, that port being
 * meant for the scraper's network only. Without either, nothing is exposed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import type { Registry } from 'prom-client';
import { AuthError } from '../../errors.js';
import type { AppContext, AppState } from '../context.js';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export const metricsPath = '/metrics';

export const metricsRoutes = (options: { registry: Registry; token?: string }): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  const expected = options.token === undefined ? undefined : digest(options.token);
  router.get(metricsPath, async function scrapeMetrics(ctx) {
    if (expected) {
      const token = /^Bearer (\S+)$/i.exec(ctx.get('Authorization'))?.[1];
      if (token === undefined || !timingSafeEqual(digest(token), expected)) {
        throw new AuthError('GET /metrics needs the metrics token: Authorization: Bearer <METRICS_TOKEN>.');
      }
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.type = options.registry.contentType;
    ctx.body = await options.registry.metrics();
  });
  return router;
};

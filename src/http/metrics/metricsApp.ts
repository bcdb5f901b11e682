/** The app of the METRICS_PORT listener: `GET /metrics` without a token, and the routes a process adds (its probes). */
import type Router from '@koa/router';
import Koa from 'koa';
import type { Registry } from 'prom-client';
import type { Logger } from '../../logger.js';
import type { AppContext, AppState } from '../context.js';
import { problems } from '../middleware/problems.js';
import { requestId } from '../middleware/requestId.js';
import { metricsRoutes } from './metricsRoute.js';

export const buildMetricsApp = (deps: {
  registry: Registry;
  logger: Logger;
  routers?: readonly Router<AppState, AppContext>[];
}): Koa<AppState, AppContext> => {
  const app = new Koa<AppState, AppContext>();
  app.silent = true;
  app.use(requestId({ logger: deps.logger }));
  app.use(problems());
  for (const router of [metricsRoutes({ registry: deps.registry }), ...(deps.routers ?? [])]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
};

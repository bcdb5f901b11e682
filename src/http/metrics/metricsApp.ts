/** The listener of METRICS_PORT: `GET /metrics` and nothing else, without a token. */
import Koa from 'koa';
import type { Registry } from 'prom-client';
import type { Logger } from '../../logger.js';
import type { AppContext, AppState } from '../context.js';
import { problems } from '../middleware/problems.js';
import { requestId } from '../middleware/requestId.js';
import { metricsRoutes } from './metricsRoute.js';

export const buildMetricsApp = (deps: { registry: Registry; logger: Logger }): Koa<AppState, AppContext> => {
  const app = new Koa<AppState, AppContext>();
  app.silent = true;
  const router = metricsRoutes({ registry: deps.registry });
  app.use(requestId({ logger: deps.logger }));
  app.use(problems());
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
};

/** Builds the Koa application from its dependencies. Nothing here opens a store or listens. */
import Koa from 'koa';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { Registry } from 'prom-client';
import type { TokenVerifier } from '../auth/tokens.js';
import type { CommandDeps } from '../commands/handle.js';
import type { ReadBackDeps } from '../projections/readBack.js';
import type { Logger } from '../logger.js';
import type { AppContext, AppState } from './context.js';
import { docsRoutes } from './docs/docsRoutes.js';
import { httpMetrics } from './metrics/httpMetrics.js';
import { metricsRoutes } from './metrics/metricsRoute.js';
import { createServiceMetrics, type ServiceMetrics } from './metrics/serviceMetrics.js';
import { authenticate } from './middleware/auth.js';
import { problems } from './middleware/problems.js';
import { rateLimit } from './middleware/rateLimit.js';
import { requestId } from './middleware/requestId.js';
import { responseHeaders } from './middleware/responseHeaders.js';
import { routeTable } from './middleware/routeTable.js';
import { auditRoutes } from './routes/audit.js';
import { clientRoutes } from './routes/clients.js';
import { openApiDocument } from './openapi/document.js';
import { openApiRoutes } from './openapi/openApiRoute.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
import { readinessRoutes, type ReadinessDeps } from './routes/readiness.js';
import { serviceRoutes } from './routes/services.js';
import { sessionRoutes } from './routes/sessions.js';
import { staffRoutes } from './routes/staff.js';
import { staffBusyRoutes } from './routes/staffBusy.js';
import { workspaceRoutes } from './routes/workspaces.js';

export interface AppDeps {
  commands: CommandDeps;
  reads: ReadBackDeps;
  verifier: TokenVerifier;
  logger: Logger;
  bodyLimitBytes: number;
  health: HealthCheck;
  /** Budgets per client address (before authentication) and per token subject (after); none when absent. */
  rateLimiters?: { ip?: RateLimiterAbstract; user?: RateLimiterAbstract };
  // The three below are optional so that a test can build an app from a few parts; src/main.ts passes them all.
  /** What /readyz checks besides health (default: no projection lag to check). */
  readiness?: Omit<ReadinessDeps, 'health'>;
  /** Where requests are recorded (default: a registry of this app's own, not served). */
  metrics?: ServiceMetrics;
  /** When set, GET /metrics on this app needs it as a bearer token; unset, this app does not serve /metrics. */
  metricsToken?: string;
  /** The OpenAPI document served at /openapi.json and rendered at /docs (default: the document, unversioned). */
  openApi?: { info: { title: string } };
}

export const buildApp = (deps: AppDeps): Koa<AppState, AppContext> => {
  const app = new Koa<AppState, AppContext>();
  app.proxy = false;
  // Errors are answered by the problems middleware; this only keeps Koa from printing them.
  app.silent = true;
  const routeDeps = { commands: deps.commands, reads: deps.reads, bodyLimitBytes: deps.bodyLimitBytes };
  const metrics = deps.metrics ?? createServiceMetrics(new Registry(), { defaultMetrics: false });
  const openApi = deps.openApi ?? openApiDocument('unversioned');
  // Routes that need no JWT; they are answered before authentication.
  const publicRouters = [
    healthRoutes(deps.health),
    readinessRoutes({ health: deps.health, ...(deps.readiness ?? { projections: async () => [], maxProjectionLag: 0 }) }),
    openApiRoutes(openApi),
    docsRoutes({ title: openApi.info.title }),
    ...(deps.metricsToken === undefined ? [] : [metricsRoutes({ registry: metrics.registry, token: deps.metricsToken })]),
  ];
  const routers = [workspaceRoutes, clientRoutes, serviceRoutes, staffRoutes, sessionRoutes, staffBusyRoutes, auditRoutes].map((routes) =>
    routes(routeDeps),
  );
  const { ip, user } = deps.rateLimiters ?? {};

  app.use(httpMetrics({ metrics }));
  app.use(responseHeaders());
  app.use(requestId({ logger: deps.logger }));
  app.use(problems());
  // Health and readiness probes are never limited: a load balancer must see the instance even under a flood.
  if (ip)
    app.use(
      rateLimit({
        limiter: ip,
        key: (ctx) => (ctx.path === '/healthz' || ctx.path === '/readyz' ? undefined : ctx.ip),
        who: 'this client address',
      }),
    );
  for (const router of publicRouters) app.use(router.routes());
  // Everything else needs a token first, so unknown paths are not revealed to strangers.
  app.use(authenticate({ verifier: deps.verifier }));
  if (user) app.use(rateLimit({ limiter: user, key: (ctx) => ctx.state.principal?.userId, who: 'this user' }));
  app.use(routeTable([...publicRouters, ...routers]));
  for (const router of routers) app.use(router.routes());
  return app;
};

/** Builds the Koa application from its dependencies. Nothing here opens a store or listens. */
import Koa from 'koa';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import type { TokenVerifier } from '../auth/tokens.js';
import type { CommandDeps } from '../commands/handle.js';
import type { ReadBackDeps } from '../projections/readBack.js';
import type { Logger } from '../logger.js';
import type { AppContext, AppState } from './context.js';
import { authenticate } from './middleware/auth.js';
import { problems } from './middleware/problems.js';
import { rateLimit } from './middleware/rateLimit.js';
import { requestId } from './middleware/requestId.js';
import { responseHeaders } from './middleware/responseHeaders.js';
import { routeTable } from './middleware/routeTable.js';
import { auditRoutes } from './routes/audit.js';
import { clientRoutes } from './routes/clients.js';
import { healthRoutes, type HealthCheck } from './routes/health.js';
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
}

export const buildApp = (deps: AppDeps): Koa<AppState, AppContext> => {
  const app = new Koa<AppState, AppContext>();
  app.proxy = false;
  // Errors are answered by the problems middleware; this only keeps Koa from printing them.
  app.silent = true;
  const routeDeps = { commands: deps.commands, reads: deps.reads, bodyLimitBytes: deps.bodyLimitBytes };
  const health = healthRoutes(deps.health);
  const routers = [workspaceRoutes, clientRoutes, serviceRoutes, staffRoutes, sessionRoutes, staffBusyRoutes, auditRoutes].map((routes) => routes(routeDeps));
  const { ip, user } = deps.rateLimiters ?? {};

  app.use(responseHeaders());
  app.use(requestId({ logger: deps.logger }));
  app.use(problems());
  // Health probes are never limited: a load balancer must see the instance even under a flood.
  if (ip) app.use(rateLimit({ limiter: ip, key: (ctx) => (ctx.path === '/healthz' ? undefined : ctx.ip), who: 'this client address' }));
  app.use(health.routes());
  // Everything but the health probe needs a token first, so unknown paths are not revealed to strangers.
  app.use(authenticate({ verifier: deps.verifier }));
  if (user) app.use(rateLimit({ limiter: user, key: (ctx) => ctx.state.principal?.userId, who: 'this user' }));
  app.use(routeTable([health, ...routers]));
  for (const router of routers) app.use(router.routes());
  return app;
};

/** Builds the Koa application from its dependencies. Nothing here opens a store or listens. */
import Koa from 'koa';
import type { TokenVerifier } from '../auth/tokens.js';
import type { CommandDeps } from '../commands/handle.js';
import type { ReadBackDeps } from '../projections/readBack.js';
import type { Logger } from '../logger.js';
import type { AppContext, AppState } from './context.js';
import { authenticate } from './middleware/auth.js';
import { problems } from './middleware/problems.js';
import { requestId } from './middleware/requestId.js';
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
}

export const buildApp = (deps: AppDeps): Koa<AppState, AppContext> => {
  const app = new Koa<AppState, AppContext>();
  app.proxy = false;
  // Errors are answered by the problems middleware; this only keeps Koa from printing them.
  app.silent = true;
  const routeDeps = { commands: deps.commands, reads: deps.reads, bodyLimitBytes: deps.bodyLimitBytes };
  const health = healthRoutes(deps.health);
  const routers = [workspaceRoutes, clientRoutes, serviceRoutes, staffRoutes, sessionRoutes, staffBusyRoutes, auditRoutes].map((routes) => routes(routeDeps));

  app.use(requestId({ logger: deps.logger }));
  app.use(problems());
  app.use(health.routes());
  app.use(authenticate({ verifier: deps.verifier }));
  for (const router of routers) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  return app;
};

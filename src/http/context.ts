import type { Context, DefaultState, ParameterizedContext } from 'koa';
import type { Principal } from '../auth/tokens.js';
import type { RequestContext } from '../events/envelope.js';
import type { Logger } from '../logger.js';

export interface AppState extends DefaultState {
  requestId: string;
  correlationId: string;
  log: Logger;
  principal?: Principal;
}

export type AppContext = ParameterizedContext<AppState, Context & { params: Record<string, string> }>;

/** Who made the request, for a route behind authenticate(): a programming error anywhere else. */
export const principalOf = (ctx: AppContext): Principal => {
  const principal = ctx.state.principal;
  if (!principal) throw new Error('the route needs an authenticated request (authenticate() before it)');
  return principal;
};

/** The request facts recorded on every event the request causes. Requires an authenticated request. */
export const requestContext = (ctx: AppContext): RequestContext => {
  const principal = principalOf(ctx);
  return {
    actor: { userId: principal.userId, ...(principal.name === undefined ? {} : { name: principal.name }) },
    requestId: ctx.state.requestId,
    correlationId: ctx.state.correlationId,
  };
};

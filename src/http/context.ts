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

/** The request facts recorded on every event the request causes. Requires an authenticated request. */
export const requestContext = (ctx: AppContext): RequestContext => {
  const principal = ctx.state.principal;
  if (!principal) throw new Error('requestContext needs an authenticated request');
  return {
    actor: { userId: principal.userId, ...(principal.name === undefined ? {} : { name: principal.name }) },
    requestId: ctx.state.requestId,
    correlationId: ctx.state.correlationId,
  };
};

import { randomUUID } from 'node:crypto';
import type { Next } from 'koa';
import type { Logger } from '../../logger.js';
import type { AppContext } from '../context.js';

const sane = /^[A-Za-z0-9._:@-]{1,128}$/;

/** Echoes a sane X-Request-Id (else makes one), sets the correlation id, and logs each request once. */
export const requestId = (options: { logger: Logger }) =>
  async function requestIdMiddleware(ctx: AppContext, next: Next): Promise<void> {
    const incoming = ctx.get('X-Request-Id');
    const id = sane.test(incoming) ? incoming : randomUUID();
    const correlation = ctx.get('X-Correlation-Id');
    ctx.state.requestId = id;
    ctx.state.correlationId = sane.test(correlation) ? correlation : id;
    ctx.state.log = options.logger.child({ requestId: id });
    ctx.set('X-Request-Id', id);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      ctx.state.log.info(
        {
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Number(process.hrtime.bigint() - started) / 1e6,
          userId: ctx.state.principal?.userId,
        },
        'request',
      );
    }
  };

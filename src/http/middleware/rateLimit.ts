/**
 * Request budgets (rate-limiter-flexible): one counter per key and window. Every counted response
 * carries RateLimit-* headers (IETF draft "RateLimit header fields for HTTP"); a spent budget is a
 * 429 problem with Retry-After. A counter store that fails lets requests through (logged): an
 * outage of the shared store must not take the API down with it.
 */
import type { Next } from 'koa';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { TooManyRequestsError } from '../../errors.js';
import type { AppContext } from '../context.js';

export interface RateLimitOptions {
  limiter: RateLimiterAbstract;
  /** The counter this request spends from; undefined skips counting. */
  key: (ctx: AppContext) => string | undefined;
  /** For the 429 detail: "this client address", "this user". */
  who: string;
}

const setHeaders = (ctx: AppContext, limiter: RateLimiterAbstract, result: RateLimiterRes): void => {
  const reset = Math.max(1, Math.ceil(result.msBeforeNext / 1000));
  ctx.set('RateLimit-Policy', `${limiter.points};w=${limiter.duration}`);
  ctx.set('RateLimit-Limit', String(limiter.points));
  ctx.set('RateLimit-Remaining', String(Math.max(0, result.remainingPoints)));
  ctx.set('RateLimit-Reset', String(reset));
};

export const rateLimit = (options: RateLimitOptions) =>
  async function rateLimitMiddleware(ctx: AppContext, next: Next): Promise<void> {
    const key = options.key(ctx);
    if (key !== undefined) {
      let result: RateLimiterRes;
      try {
        result = await options.limiter.consume(key);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          ctx.state.log.error({ err: rejection }, 'rate limit store failed; request not counted');
          await next();
          return;
        }
        setHeaders(ctx, options.limiter, rejection);
        const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
        throw new TooManyRequestsError(
          `Too many requests from ${options.who}: at most ${options.limiter.points} every ${options.limiter.duration} s. Retry in ${seconds} s.`,
          seconds,
        );
      }
      setHeaders(ctx, options.limiter, result);
    }
    await next();
  };

import type { Next } from 'koa';
import type { AppContext } from '../context.js';

/**
 * Headers every response carries: API bodies are never to be sniffed into another type, and they
 * are per-user and change with every write, so no cache (shared or private) may keep them.
 */
export const responseHeaders = () =>
  async function responseHeadersMiddleware(ctx: AppContext, next: Next): Promise<void> {
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Cache-Control', 'no-store');
    await next();
  };

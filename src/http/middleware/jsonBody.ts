import { bodyParser } from '@koa/bodyparser';
import type { Next } from 'koa';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../../errors.js';
import type { AppContext } from '../context.js';

/**
 * Parses a JSON body after authentication (so 401/403 come before 400/413/415). Anything that is
 * not JSON is a 415; a body over the limit a 413; malformed JSON a 400.
 */
export const jsonBody = (options: { limitBytes: number; optional?: boolean }) => {
  // detectJSON: parse runs only after the check below accepted the type as JSON (any +json too);
  // without it the parser skips +json types it does not list and leaves an empty object behind.
  const parse = bodyParser({ enableTypes: ['json'], jsonLimit: options.limitBytes, jsonStrict: false, encoding: 'utf-8', detectJSON: () => true });
  return async function jsonBodyMiddleware(ctx: AppContext, next: Next): Promise<void> {
    const hasBody = ctx.request.length > 0 || ctx.get('Transfer-Encoding') !== '';
    if (hasBody && !ctx.request.is('application/json', '+json')) {
      throw new UnsupportedMediaTypeError(`Send the body as application/json (got ${ctx.get('Content-Type') || 'no Content-Type'}).`);
    }
    if (!hasBody && options.optional) {
      ctx.request.body = {};
      return next();
    }
    if (!hasBody) {
      throw new ValidationError('The request needs a JSON body.', [{ path: '', message: 'must be a JSON object' }]);
    }
    try {
      await parse(ctx as never, async () => undefined);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413) throw new PayloadTooLargeError(`The body is larger than the limit of ${options.limitBytes} bytes.`);
      if (status === 415) throw new UnsupportedMediaTypeError('Send the body as application/json.');
      if (status !== undefined && status >= 400 && status < 500) {
        // The parser refuses prototype-poisoning keys (`__proto__`, `constructor.prototype`) outright.
        if (/prototype/i.test((error as Error).message)) {
          throw new ValidationError('The body uses a property name that is not allowed.', [
            { path: '', message: 'must not contain "__proto__" or "constructor.prototype" properties' },
          ]);
        }
        throw new ValidationError('The body is not valid JSON.', [{ path: '', message: 'must be valid JSON' }]);
      }
      throw error;
    }
    await next();
  };
};

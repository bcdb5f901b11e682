import type { Next } from 'koa';
import type { Permission } from '../../auth/permissions.js';
import type { TokenVerifier } from '../../auth/tokens.js';
import { AuthError, ForbiddenError, ValidationError } from '../../errors.js';
import type { AppContext } from '../context.js';

/** rawHeaders alternates names and values. */
const countHeader = (rawHeaders: readonly string[], name: string): number =>
  rawHeaders.filter((nameOrValue, i) => i % 2 === 0 && nameOrValue.toLowerCase() === name).length;

/** 401 unless the request carries a verifiable Bearer token (400 when it carries two). */
export const authenticate = (options: { verifier: TokenVerifier }) =>
  async function authenticateMiddleware(ctx: AppContext, next: Next): Promise<void> {
    // Node keeps only the first of repeated Authorization headers; which one a proxy or another
    // parser would use is anyone's guess, so a request with two is refused rather than half-read.
    if (countHeader(ctx.req.rawHeaders, 'authorization') > 1) {
      throw new ValidationError('The request has more than one Authorization header; send exactly one.', [
        { path: 'Authorization', message: 'must be sent once' },
      ]);
    }
    const header = ctx.get('Authorization');
    // The scheme name is case-insensitive (RFC 9110 §11.1): "bearer" is "Bearer".
    const token = /^Bearer ([A-Za-z0-9_.\-+/=]+)$/i.exec(header)?.[1];
    if (token === undefined) {
      throw new AuthError(header ? 'The Authorization header must be "Bearer <token>".' : 'This request needs a Bearer token.');
    }
    ctx.state.principal = options.verifier.verify(token);
    await next();
  };

export interface AuthorizeOptions {
  /** Permission the token must hold; omit when any token of the workspace may proceed. */
  permission?: Permission;
  /** The route acts in the workspace named by the :workspaceId path parameter. */
  workspaceScoped?: boolean;
  /** Only tokens without a workspace (platform tokens) may proceed. */
  platformOnly?: boolean;
}

/** 403 unless the token holds the permission and acts in the path's workspace. */
export const authorize = (options: AuthorizeOptions) =>
  async function authorizeMiddleware(ctx: AppContext, next: Next): Promise<void> {
    const principal = ctx.state.principal;
    if (!principal) throw new AuthError('This request needs a Bearer token.');
    if (options.permission && !principal.permissions.includes(options.permission)) {
      throw new ForbiddenError(`This action needs the ${options.permission} permission.`);
    }
    if (options.platformOnly && principal.workspaceId !== undefined) {
      throw new ForbiddenError('This action needs a platform token (one that is not bound to a workspace).');
    }
    if (options.workspaceScoped && principal.workspaceId !== ctx.params.workspaceId) {
      throw new ForbiddenError('This token may not act in this workspace.');
    }
    await next();
  };

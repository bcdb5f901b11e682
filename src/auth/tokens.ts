/**
 * JWT verification (and signing, for the token CLI and the demo). Algorithms are pinned from
 * configuration, `exp` is required, and verified tokens are cached by their exact text until they
 * expire (bounded LRU), so a client reusing a token pays for the signature check once.
 */
import jwt from 'jsonwebtoken';
import type { JwtConfig } from '../config.js';
import { AuthError } from '../errors.js';

export interface Principal {
  userId: string;
  name?: string;
  permissions: readonly string[];
  /** The workspace the token may act in; undefined for platform tokens. */
  workspaceId?: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export interface TokenVerifier {
  verify(token: string): Principal;
}

const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

const toPrincipal = (payload: jwt.JwtPayload): Principal => {
  if (typeof payload.exp !== 'number') throw new AuthError('The token has no expiry (exp).');
  if (typeof payload.sub !== 'string' || payload.sub.length === 0) throw new AuthError('The token has no subject (sub).');
  if (!isStringArray(payload.permissions)) throw new AuthError('The token has no permissions claim (an array of strings).');
  if (payload.workspaceId !== undefined && typeof payload.workspaceId !== 'string') {
    throw new AuthError('The token workspaceId claim must be a string.');
  }
  if (payload.name !== undefined && typeof payload.name !== 'string') throw new AuthError('The token name claim must be a string.');
  return {
    userId: payload.sub,
    ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
    permissions: payload.permissions,
    ...(typeof payload.workspaceId === 'string' ? { workspaceId: payload.workspaceId } : {}),
    expiresAt: payload.exp,
  };
};

export const createTokenVerifier = (config: JwtConfig, options: { cacheSize?: number; now?: () => number } = {}): TokenVerifier => {
  const key = config.publicKey ?? config.secret;
  if (!key) throw new Error('JWT verification needs a secret or a public key');
  const cacheSize = options.cacheSize ?? 10_000;
  const now = options.now ?? (() => Date.now() / 1000);
  const cache = new Map<string, Principal>();
  const verifyOptions: jwt.VerifyOptions & { complete: false } = {
    algorithms: config.algorithms,
    complete: false,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  };

  return {
    verify(token) {
      const cached = cache.get(token);
      if (cached) {
        if (cached.expiresAt > now()) {
          cache.delete(token);
          cache.set(token, cached);
          return cached;
        }
        cache.delete(token);
      }
      let payload: string | jwt.JwtPayload;
      try {
        payload = jwt.verify(token, key, verifyOptions);
      } catch (error) {
        const reason =
          error instanceof jwt.TokenExpiredError
            ? 'The token has expired.'
            : error instanceof jwt.NotBeforeError
              ? 'The token is not valid yet.'
              : 'The token could not be verified.';
        throw new AuthError(reason);
      }
      if (typeof payload === 'string') throw new AuthError('The token payload must be a JSON object.');
      const principal = toPrincipal(payload);
      cache.set(token, principal);
      if (cache.size > cacheSize) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      return principal;
    },
  };
};

export interface TokenClaims {
  sub: string;
  name?: string;
  permissions: readonly string[];
  workspaceId?: string;
}

/** Signs an HS256 token with the configured secret (development, tests, the token CLI). */
export const signToken = (config: JwtConfig, claims: TokenClaims, expiresIn: jwt.SignOptions['expiresIn'] = '1h'): string => {
  if (!config.secret) throw new Error('signing needs JWT_SECRET (tokens for a public key are issued by your identity provider)');
  const { sub, ...rest } = claims;
  return jwt.sign({ ...rest, permissions: [...claims.permissions] }, config.secret, {
    algorithm: 'HS256',
    subject: sub,
    expiresIn: expiresIn,
    ...(config.issuer ? { issuer: config.issuer } : {}),
    ...(config.audience ? { audience: config.audience } : {}),
  });
};

export { allPermissions } from './permissions.js';

/**
 * Idempotency is derived from the event store itself: a request with an Idempotency-Key gets a
 * deterministic aggregate id (hash of scope, resource kind and key), and its first event is
 * appended with expected revision "no stream". A repeat finds the stream already there; the
 * request hash stored in that event's metadata tells a true repeat from a reused key.
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';

export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

export const checkIdempotencyKey = (key: string | undefined): string | undefined => {
  if (key === undefined) return undefined;
  if (!idempotencyKeyPattern.test(key)) {
    throw new ValidationError('The Idempotency-Key header is invalid.', [
      { path: 'Idempotency-Key', message: 'must be 1 to 255 visible ASCII characters' },
    ]);
  }
  return key;
};

/**
 * The scope a key is unique in: the workspace (or platform) and the acting user (the token's
 * `sub`). Without the user, anyone in the workspace could replay a colleague's key and body and be
 * answered with a resource they may not read; with it, the same key from two users is two requests.
 */
export const idempotencyScope = (scope: string, userId: string): string => `${scope}\u0000user\u0000${userId}`;

/** A 24-hex id that is the same for the same (scope, kind, key) and unrelated otherwise. */
export const idempotentId = (scope: string, kind: string, key: string): string =>
  createHash('sha256').update(`${scope}\u0000${kind}\u0000${key}`).digest('hex').slice(0, 24);

const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, canonical((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
};

/** Hash of the request body with object keys sorted, so key order does not make two bodies differ. */
export const requestHash = (body: unknown): string =>
  createHash('sha256')
    .update(JSON.stringify(canonical(body ?? null)))
    .digest('hex');

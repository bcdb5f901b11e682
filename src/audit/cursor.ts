/**
 * The audit log's pagination cursor: opaque to clients, it encodes the workspace and the global
 * position of the last event the previous page examined (the next page starts strictly after it).
 * It is not a secret and needs no signature: a forged cursor can only move the starting position,
 * and reads are always filtered by the workspace of the request's path, never by the cursor's.
 */
import { ValidationError } from '../errors.js';

interface CursorBody {
  v: 1;
  /** Workspace the cursor was issued for. */
  w: string;
  /** Position of the last event examined, as a decimal string; null: nothing examined yet. */
  p: string | null;
}

export const encodeCursor = (workspaceId: string, after: bigint | null): string =>
  Buffer.from(JSON.stringify({ v: 1, w: workspaceId, p: after === null ? null : after.toString() } satisfies CursorBody)).toString(
    'base64url',
  );

const invalid = (message: string): ValidationError =>
  new ValidationError(`The cursor is invalid: ${message}. Use the nextCursor of a previous page, or omit it to start at the beginning.`, [
    { path: 'cursor', message },
  ]);

/** The position a page starts after (null: from the beginning). Throws a 400 ValidationError on a bad cursor. */
export const decodeCursor = (cursor: string, workspaceId: string): bigint | null => {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid('not a cursor issued by this API');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor issued by this API');
  }
  const b = body as Partial<CursorBody> | null;
  if (b === null || typeof b !== 'object' || b.v !== 1 || typeof b.w !== 'string' || (b.p !== null && typeof b.p !== 'string')) {
    throw invalid('not a cursor issued by this API');
  }
  if (b.w !== workspaceId) throw invalid('it was issued for another workspace');
  if (b.p === null) return null;
  if (!/^\d{1,20}$/.test(b.p)) throw invalid('not a cursor issued by this API');
  return BigInt(b.p);
};

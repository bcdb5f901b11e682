/**
 * The opaque keyset cursor every list shares: where the next page starts (sort value, id) and a
 * hash of the filters it was issued for, so that reusing it with other filters is a 400.
 */
import { createHash } from 'node:crypto';
import { objectIdPattern } from '../../commands/validation.js';
import { ValidationError } from '../../errors.js';
import type { QueryCursor } from '../../stores/readModel.js';

/** A short hash of everything a cursor is bound to (the list, the workspace, the normalized filters). */
const filterKey = (bound: readonly unknown[]): string =>
  createHash('sha256').update(JSON.stringify(bound)).digest('base64url').slice(0, 16);

export const encodeListCursor = (bound: readonly unknown[], at: QueryCursor): string =>
  Buffer.from(JSON.stringify({ v: 1, s: at.value, i: at.id, f: filterKey(bound) })).toString('base64url');

const badCursor = (message: string) =>
  new ValidationError(`The cursor is invalid: ${message}. Use the nextCursor of the previous page with the same filters, or omit it.`, [
    { path: 'cursor', message },
  ]);

/** The page start a cursor names; a 400 for a cursor this API did not issue, or issued for other filters. */
export const decodeListCursor = (
  cursor: string,
  bound: readonly unknown[],
  options: { maxLength: number; otherFilters: string },
): QueryCursor => {
  if (cursor.length > options.maxLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor('not a cursor issued by this API');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('not a cursor issued by this API');
  }
  if (parsed === null || typeof parsed !== 'object') throw badCursor('not a cursor issued by this API');
  const body: { v?: unknown; s?: unknown; i?: unknown; f?: unknown } = parsed;
  if (body.v !== 1 || typeof body.s !== 'string' || typeof body.i !== 'string' || !objectIdPattern.test(body.i)) {
    throw badCursor('not a cursor issued by this API');
  }
  if (body.f !== filterKey(bound)) throw badCursor(options.otherFilters);
  return { value: body.s, id: body.i };
};

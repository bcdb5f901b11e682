/**
 * GET …/clients, …/services, …/staff: a catalog list, sorted by name (the views' nameSort, see
 * projections/nameKeys.ts) then id, keyset-paged through the views' name indexes with an opaque
 * cursor bound to the filters it was issued for.
 *
 * `search` is a substring of the folded name. The read model has no substring index, so the
 * rows come through the name index in order and the search is matched on them; a request reads
 * at most `scanBudget` rows and then answers with what it found and a cursor to go on from (a
 * page may hold fewer than `limit` entries and still have a next one).
 */
import { trimmedLength } from '../../commands/validation.js';
import { QueryReader, type RawQuery } from './queryString.js';
import { searchKey } from '../../projections/nameKeys.js';
import type { Condition, Document, QueryCursor, ReadModelStore } from '../../stores/readModel.js';
import { decodeListCursor, encodeListCursor } from './listCursor.js';

export const catalogListLimits = { defaultLimit: 50, maxLimit: 200, scanBudget: 5000, scanPage: 500 } as const;

export interface CatalogListQuery {
  /** Folded as the views fold names. */
  search?: string;
  scope?: string;
  includeArchived: boolean;
  limit: number;
  after?: QueryCursor;
}

const bound = (collection: string, workspaceId: string, q: CatalogListQuery): unknown[] => [
  collection,
  workspaceId,
  q.search ?? null,
  q.scope ?? null,
  q.includeArchived,
];

export const encodeCatalogCursor = (collection: string, workspaceId: string, q: CatalogListQuery, at: QueryCursor): string =>
  encodeListCursor(bound(collection, workspaceId, q), at);

const decodeCatalogCursor = (cursor: string, collection: string, workspaceId: string, q: CatalogListQuery): QueryCursor =>
  decodeListCursor(cursor, bound(collection, workspaceId, q), {
    maxLength: 2000,
    otherFilters: 'it was issued for other filters (or another list or workspace)',
  });

/** Validates the query string, every problem in one 400. `scoped`: the list knows `scope` (services). */
export const parseCatalogListQuery = (raw: RawQuery, collection: string, workspaceId: string, scoped: boolean): CatalogListQuery => {
  const known = ['search', 'includeArchived', 'limit', 'cursor', ...(scoped ? ['scope'] : [])];
  const q = new QueryReader(raw, known);
  const query: CatalogListQuery = { includeArchived: false, limit: catalogListLimits.defaultLimit };

  const search = q.single('search');
  if (search !== undefined) {
    const folded = searchKey(search);
    if (folded === '' || trimmedLength(search) > 200) q.fail('search', 'must be 1 to 200 characters, not only spaces or marks');
    else query.search = folded;
  }
  const scope = scoped ? q.single('scope') : undefined;
  if (scope !== undefined) {
    if (trimmedLength(scope) < 1 || trimmedLength(scope) > 50) q.fail('scope', 'must be a non-empty string of at most 50 characters');
    else query.scope = scope.trim();
  }
  const includeArchived = q.single('includeArchived');
  if (includeArchived !== undefined) {
    if (includeArchived !== 'true' && includeArchived !== 'false') q.fail('includeArchived', 'must be true or false');
    else query.includeArchived = includeArchived === 'true';
  }
  const limit = q.limit(catalogListLimits.maxLimit);
  if (limit !== undefined) query.limit = limit;
  const cursor = q.single('cursor');
  q.throwIfInvalid();
  if (cursor !== undefined) query.after = decodeCatalogCursor(cursor, collection, workspaceId, query);
  return query;
};

const cursorOf = (doc: Document): QueryCursor => ({ value: String(doc.nameSort), id: doc.id });

/** One page of the list: up to `limit` matching documents, and where the next page starts (null: none). */
export const readCatalogList = async (
  readModel: ReadModelStore,
  collection: string,
  workspaceId: string,
  q: CatalogListQuery,
): Promise<{ documents: Document[]; next: QueryCursor | null }> => {
  const where: Record<string, Condition> = {};
  if (q.scope !== undefined) where.scope = q.scope;
  if (!q.includeArchived) where.archived = false;
  const found: Document[] = [];
  let after = q.after;
  let scanned = 0;
  for (;;) {
    const pageSize = q.search === undefined ? q.limit - found.length : catalogListLimits.scanPage;
    const page = await readModel.query(collection, workspaceId, {
      where,
      orderBy: 'nameSort',
      limit: pageSize,
      ...(after ? { after } : {}),
    });
    for (const [i, doc] of page.documents.entries()) {
      scanned += 1;
      if (q.search !== undefined && !String(doc.nameSearch).includes(q.search)) continue;
      found.push(doc);
      if (found.length === q.limit) {
        const more = i < page.documents.length - 1 || page.next !== null;
        return { documents: found, next: more ? cursorOf(doc) : null };
      }
    }
    if (page.next === null) return { documents: found, next: null };
    after = page.next;
    if (scanned >= catalogListLimits.scanBudget) return { documents: found, next: after };
  }
};

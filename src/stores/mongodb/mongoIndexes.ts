/**
 * The secondary indexes a projection declares, as MongoDB compound indexes, and the planning of
 * read-model queries over them, with exactly the rules of the SQLite adapter
 * (../sqlite/collectionTable.ts):
 * - a declared index `{ name, fields }` is `{ workspaceId: 1, ...fields: 1, _id: 1 }` named
 *   `ix_<name>`; a `multi` index is the same key on an array field, which MongoDB makes multikey;
 * - a query is served by the index every adapter chooses (`chooseIndex`, ../readModel.ts); the
 *   query names that index as its `hint`, so the server cannot fall back to a collection scan;
 * - equality (or `in`) on a `multi` field means "the array contains" (never a null: an array's
 *   null is no value it is found by); other conditions are checked on the documents the index
 *   yields; a range never matches a missing or null field;
 * - a cursor after a null sort value goes on with the other nulls, then every value.
 *
 * Start-up brings a collection's `ix_` indexes to what is declared (a changed definition is
 * dropped and created again, an index no longer declared is dropped) and drops the old
 * `{ workspaceId, _id }` index, which `_id_` already serves (reads by id name the `_id`).
 */
import type { Collection, IndexDescriptionInfo, IndexOptions, IndexSpecification, Sort } from 'mongodb';
import type { IndexSpec, Projection, Scalar } from '../../projections/projection.js';
import { checkQueryLimit, chooseIndex, isEquality, multiFieldsOf, whereIndex, type Query } from '../readModel.js';

/** The index earlier releases created on every collection; redundant with `_id_`. */
export const legacyWorkspaceIdIndex = 'workspaceId_id';

const indexNotFound = 27;
const fieldName = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

/** The stored field a document field is kept under (`id` is `_id`). */
const storedField = (field: string): string => {
  if (field === 'id') return '_id';
  if (!fieldName.test(field)) throw new Error(`invalid field name ${field}`);
  return field;
};

export interface DeclaredIndex {
  name: string;
  key: Record<string, 1>;
}

/** The MongoDB name of a declared index (whose name checkIndexes, ../../projections/projection.ts, has checked). */
export const declaredIndexName = (spec: IndexSpec): string => `ix_${spec.name}`;

/** The MongoDB indexes of a projection's declared ones (checked when the projection was registered). */
export const declaredIndexes = (projection: Pick<Projection, 'indexes'>): DeclaredIndex[] =>
  (projection.indexes ?? []).map((spec) => {
    const key: Record<string, 1> = { workspaceId: 1 };
    for (const field of spec.fields) key[storedField(field)] = 1;
    key._id = 1;
    return { name: declaredIndexName(spec), key };
  });

const sameKey = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  JSON.stringify(Object.entries(a)) === JSON.stringify(Object.entries(b));

/**
 * Creates an index from its index options. The command options are `undefined` rather than `{}`:
 * the driver (7.x) then still drops the index options it does not know, as the deprecated
 * two-argument form did, so a copied index sends back only options the driver knows.
 */
export const createIndex = (collection: Pick<Collection, 'createIndex'>, key: IndexSpecification, options: IndexOptions): Promise<string> =>
  collection.createIndex(key, options, undefined);

/**
 * Brings a collection's `ix_` indexes to the declared ones and drops the legacy `{ workspaceId,
 * _id }` index. Other indexes (created by an operator) are left alone.
 */
export const ensureDeclaredIndexes = async (collection: Collection, projection: Pick<Projection, 'indexes'>): Promise<void> => {
  const wanted = declaredIndexes(projection);
  let existing: IndexDescriptionInfo[] = [];
  try {
    existing = await collection.indexes();
  } catch (error) {
    // A collection that does not exist yet has no indexes; createIndex creates it.
    if (!(error instanceof Error && 'code' in error && (error as { code?: unknown }).code === 26)) throw error;
  }
  for (const index of existing) {
    const name = index.name ?? '';
    const declared = wanted.find((w) => w.name === name);
    const stale = name === legacyWorkspaceIdIndex || (name.startsWith('ix_') && (!declared || !sameKey(declared.key, index.key)));
    if (stale) {
      await collection.dropIndex(name).catch((error: unknown) => {
        // Another instance starting at the same time dropped it first.
        if (!(error instanceof Error && 'code' in error && (error as { code?: unknown }).code === indexNotFound)) throw error;
      });
    }
  }
  for (const index of wanted) {
    if (existing.some((e) => e.name === index.name && sameKey(index.key, e.key))) continue;
    await createIndex(collection, index.key, { name: index.name });
  }
};

/** What listIndexes reports that is not an option: the key itself, and the version and namespace the server sets. */
const notIndexOptions = new Set(['key', 'v', 'ns']);

/**
 * The options of an existing index that a copy must keep (a rebuild's new collection gets the
 * live one's operator-created indexes): everything listIndexes reports but the key, the version
 * and the namespace.
 */
export const copiedIndexOptions = (index: IndexDescriptionInfo): IndexOptions =>
  Object.fromEntries(Object.entries(index).filter(([field]) => !notIndexOptions.has(field)));

/** A filter on stored documents (`_id` is a string here, not the driver's default ObjectId). */
export type StoredFilter = Record<string, unknown>;

/** Matches no document. */
const nothing: StoredFilter = { _id: { $in: [] } };

export interface QueryPlan {
  filter: StoredFilter;
  sort: Sort;
  hint: string;
  /** The stored field the page is sorted on (`_id` for id). */
  sortField: string;
}

/** The MongoDB filter, sort and index of a read-model query (see the header). */
export const planQuery = (projection: Pick<Projection, 'collection' | 'indexes'>, workspaceId: string, query: Query): QueryPlan => {
  checkQueryLimit(query);
  // The hint names the index SQLite's INDEXED BY names.
  const covering = chooseIndex(projection, query);
  const multiFields = multiFieldsOf(projection);
  const conditions = Object.entries(query.where ?? {});
  const order = query.orderBy;
  const clauses: StoredFilter[] = [{ workspaceId }];
  for (const [field, condition] of conditions) {
    const stored = storedField(field);
    const multi = multiFields.includes(field);
    if (isEquality(condition)) {
      // An array's null is no value it can be found by (as on SQLite, whose terms hold none).
      clauses.push(multi && condition === null ? nothing : { [stored]: condition });
    } else if ('in' in condition) {
      clauses.push({ [stored]: { $in: multi ? condition.in.filter((v) => v !== null) : [...condition.in] } });
    } else {
      if (multi) throw new Error(`a range on the array field ${field} is not supported`);
      const range: Record<string, Scalar> = {};
      for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
        const bound = condition[op];
        if (bound !== undefined) range[`$${op}`] = bound;
      }
      // A missing or null field never matches a range (MongoDB's $lte: null would match it).
      clauses.push({ [stored]: { ...range, $ne: null } });
    }
  }
  const sortField = storedField(order);
  if (query.after) {
    const { value, id } = query.after;
    if (order === 'id') clauses.push({ _id: { $gt: id } });
    // Nulls (and missing fields) sort first: after (null, id) come the other nulls with a greater id, then every value.
    else if (value === null) clauses.push({ $or: [{ [sortField]: { $ne: null } }, { [sortField]: null, _id: { $gt: id } }] });
    else clauses.push({ $or: [{ [sortField]: { $gt: value } }, { [sortField]: value, _id: { $gt: id } }] });
  }
  return {
    // No condition and no cursor: the workspace alone.
    filter: clauses.length === 1 ? { workspaceId } : { $and: clauses },
    sort: order === 'id' ? { _id: 1 } : { [sortField]: 1, _id: 1 },
    hint: declaredIndexName(covering),
    sortField,
  };
};

/**
 * The filter of a `where` selector, through its declared index: equality, or for a `multi`
 * index "the array contains".
 */
export const whereFilter = (
  projection: Pick<Projection, 'collection' | 'indexes'>,
  workspaceId: string,
  field: string,
  equals: Scalar,
): { filter: StoredFilter; hint: string } => {
  const index = whereIndex(projection, field);
  // As on SQLite (an SQL equality with null holds for no row): a `where` on null finds nothing.
  const filter = equals === null ? { workspaceId, ...nothing } : { workspaceId, [storedField(field)]: equals };
  return { filter, hint: declaredIndexName(index) };
};

/** In memory, the same test as `whereFilter` on a document evolved but not yet written. */
export const matchesWhere = (document: Record<string, unknown>, multi: boolean, field: string, equals: Scalar): boolean => {
  if (equals === null) return false;
  const value = document[field];
  if (multi) return Array.isArray(value) && value.some((item) => item === equals);
  return value === equals;
};

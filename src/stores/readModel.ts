/**
 * The read-model port: denormalized documents written by projections, read by the API.
 * Adapters: SQLite (embedded default) and MongoDB (production).
 *
 * A projection's documents and its checkpoint are written together by `apply`, so a crash can
 * never leave a checkpoint ahead of the documents it covers. Each document remembers the position
 * of the last event applied to it, so applying an event twice changes nothing.
 */
import { combineChecksums } from '../projections/checksum.js';
import {
  checkIndexes,
  indexFor,
  type Document,
  type IndexSpec,
  type Projection,
  type Scalar,
  type StoredEvent,
} from '../projections/projection.js';

export type { Document, Scalar };

/**
 * A condition on one top-level field: equality (for a `multi` field: "the array contains"), one
 * of a list, or a range. Ranges compare like the stored values (strings by code unit, numbers
 * numerically); a field that is missing or null never matches a range.
 */
export type Condition =
  | Scalar
  | { readonly in: readonly Scalar[] }
  | { readonly gt?: Scalar; readonly gte?: Scalar; readonly lt?: Scalar; readonly lte?: Scalar };

/** Where a keyset page starts: strictly after this (sort value, id). */
export interface QueryCursor {
  readonly value: Scalar;
  readonly id: string;
}

/**
 * A filtered, sorted, keyset-paged read of one collection of one workspace. Results are ordered by
 * (`orderBy`, id), ascending. The adapter serves it through a declared index: the equality (or
 * `in`) conditions and `orderBy` must be covered by one of the collection's indexes, in the index's
 * field order (equalities first, then the sort field); other conditions are checked on the rows
 * that index yields. A query no index covers is a programming error and throws.
 */
export interface Query {
  readonly where?: Readonly<Record<string, Condition>>;
  /** The sort field (`id` to sort by id alone). */
  readonly orderBy: string;
  readonly after?: QueryCursor;
  /** 1..1000. */
  readonly limit: number;
}

export interface QueryPage {
  readonly documents: Document[];
  /** Where the next page starts; null when this page is the last. */
  readonly next: QueryCursor | null;
}

export const maxQueryLimit = 1000;

/** The array field of a `multi` index: its one field. */
export const multiIndexField = (index: IndexSpec): string => {
  const [field] = index.fields;
  if (field === undefined) throw new Error(`multi index ${index.name} names no field`);
  return field;
};

/** The array fields of a projection's `multi` indexes, whose conditions mean "the array contains". */
export const multiFieldsOf = (projection: Pick<Projection, 'indexes'>): string[] =>
  (projection.indexes ?? []).filter((index) => index.multi).map(multiIndexField);

/** An equality condition (a scalar), rather than an `in` or a range. */
export const isEquality = (condition: Condition): condition is Scalar => condition === null || typeof condition !== 'object';

/** A page of 1..maxQueryLimit documents, or a programming error. */
export const checkQueryLimit = (query: Pick<Query, 'limit'>): void => {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxQueryLimit) {
    throw new Error(`query limit must be 1..${maxQueryLimit}, got ${query.limit}`);
  }
};

/**
 * The declared index that serves a query, the same on every adapter (and so the one SQLite's
 * INDEXED BY and MongoDB's hint name). An index yields (orderBy, id) order only when the sort
 * field is its last field, or only fields with an equality follow it (every index ends with id;
 * ordering by id, all its fields need an equality, and it has at least one). Every field before
 * the sort field needs an equality or an `in` (one range per value). Conditions on `multi` fields
 * go through the array's own index, and a `multi` index serves no query itself. Of the indexes
 * that serve, the one whose leading lookups narrow the query most, the first declared on a tie.
 * Throws when none serves: a query no index serves is a programming error.
 */
export const chooseIndex = (projection: Pick<Projection, 'collection' | 'indexes'>, query: Pick<Query, 'where' | 'orderBy'>): IndexSpec => {
  const multiFields = multiFieldsOf(projection);
  const conditions = Object.entries(query.where ?? {});
  const scalar = conditions.filter(([field]) => !multiFields.includes(field));
  const equalities = new Set(scalar.filter(([, c]) => isEquality(c)).map(([field]) => field));
  const lookups = new Set([...equalities, ...scalar.filter(([, c]) => !isEquality(c) && 'in' in c).map(([field]) => field)]);
  const order = query.orderBy;
  // The number of lookups before the sort field, -1 when the index does not serve.
  const leading = (index: IndexSpec): number => {
    if (index.multi) return -1;
    const at = order === 'id' ? index.fields.length : index.fields.indexOf(order);
    const serves =
      at >= 0 &&
      (order !== 'id' || at > 0) &&
      index.fields.slice(0, at).every((f) => lookups.has(f)) &&
      index.fields.slice(at + 1).every((f) => equalities.has(f));
    return serves ? at : -1;
  };
  let chosen: IndexSpec | undefined;
  for (const index of projection.indexes ?? []) {
    if (leading(index) >= 0 && (chosen === undefined || leading(index) > leading(chosen))) chosen = index;
  }
  if (chosen === undefined) {
    throw new Error(
      `no index of collection ${projection.collection} serves a query on [${conditions.map(([f]) => f).join(', ')}] ordered by ${order}`,
    );
  }
  return chosen;
};

/**
 * The index a `where` selector on `field` goes through (for a `multi` field, the array's), or a
 * programming error: a selector never scans.
 */
export const whereIndex = (projection: Pick<Projection, 'collection' | 'indexes'>, field: string): IndexSpec => {
  const index = indexFor(projection, field);
  if (!index) throw new Error(`collection ${projection.collection} declares no index on ${field}`);
  return index;
};

/**
 * A read model's projections by collection: the one that declares each collection's indexes is
 * the first registered for it, and its declarations are checked then (checkIndexes), whichever
 * adapter registers it.
 */
export class CollectionOwners {
  private readonly owners = new Map<string, Projection>();

  /** The owner of the projection's collection: the projection itself when it is the first. */
  register(projection: Projection): Projection {
    const owner = this.owners.get(projection.collection);
    if (owner) return owner;
    checkIndexes(projection);
    this.owners.set(projection.collection, projection);
    return projection;
  }

  get(collection: string): Projection | undefined {
    return this.owners.get(collection);
  }

  /** The owner a query on the collection plans with (its declared indexes), or a programming error. */
  ofQueried(collection: string): Projection {
    const owner = this.owners.get(collection);
    if (!owner) throw new Error(`collection ${collection} has no registered projection, so no indexes to query`);
    return owner;
  }

  values(): IterableIterator<Projection> {
    return this.owners.values();
  }
}

export interface ReadModelStore {
  /** The document with this id in this workspace, or null (also when it lives in another workspace). */
  find(collection: string, workspaceId: string, id: string): Promise<Document | null>;
  findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]>;
  /**
   * Documents of a workspace that match, in (orderBy, id) order, a page at a time. The collection's
   * indexes are those its projection declares (the read model knows its projections).
   */
  query(collection: string, workspaceId: string, query: Query): Promise<QueryPage>;
  /** Apply events (in position order) to the given projections and advance their checkpoints in the same write. */
  apply(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void>;
  /** Position of the last event a projection has applied, or null when it has applied none. */
  checkpoint(projection: string): Promise<bigint | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Optional capability of a read model: a blue/green rebuild. The projections' documents are built
 * aside (new tables or collections) while the current ones keep serving, then swapped in one step.
 * Used by src/projections/rebuild.ts; the SQLite implementation is src/stores/sqlite/sqliteRebuild.ts.
 */
export interface RebuildableReadModel {
  beginRebuild(projections: readonly Projection[], options: BeginRebuildOptions): Promise<RebuildTarget>;
}

export interface BeginRebuildOptions {
  /**
   * What projections read, for events the target reads itself (the tail it catches up on before a
   * switch): the event upcast, or null when it must be skipped.
   */
  prepare: (event: StoredEvent) => StoredEvent | null;
  /**
   * True when `prepare` is the standard one (upcast, leave out what cannot be projected, note it):
   * the target may then do the same itself, e.g. in worker threads, and call `prepare` only for
   * the events it leaves out.
   */
  prepareIsStandard?: boolean;
  /**
   * What the live projector does with an event: the same rule as `prepare`, without noting what
   * it leaves out. For targets that bring the live read model up to the rebuild's position
   * themselves (MongoDB, while the projector is held off), whose events the rebuild counted
   * already. Default: `prepare`.
   */
  prepareLive?: (event: StoredEvent) => StoredEvent | null;
  /** When set, only events of these types matter: the target may leave the others unread. */
  types?: readonly string[];
  /** Workspace id → time zone, the facts the standard `prepare` upcasts with (for targets that prepare themselves). */
  timeZones?: Readonly<Record<string, string>>;
}

export interface RebuildTarget {
  /** Position of the last event applied to the new documents (null before the first). */
  readonly position: bigint | null;
  /**
   * Applies a page of events, in position order, to the new documents in one write. `through`
   * (default: the last event's position) is the position the page covers, so that events the
   * caller skipped at its end are not read again.
   */
  applyPage(events: readonly StoredEvent[], through?: bigint): Promise<void>;
  /**
   * Optional, for targets that live next to the log (SQLite: the same database): applies the log
   * after `position` up to its head, reading it page by page itself, each page in one write.
   * Returns the number of events applied. Without it, the caller feeds `applyPage`.
   */
  catchUp?(options: { pageSize: number; onPage?: (applied: number, position: bigint | null) => void }): Promise<number>;
  /**
   * Brings the new documents to the head of the log and compares them with the current ones at one
   * consistent position. `applied` counts the events the catch-up applied.
   */
  compare(options: CompareOptions): Promise<Comparison & { applied: number }>;
  /**
   * Brings the new documents to the head of the log and makes them the current ones in one atomic
   * step (with the projections' checkpoints), then drops the old ones.
   */
  switchOver(): Promise<{ applied: number; position: bigint | null }>;
  /** Drops the new documents; the current ones are untouched. */
  discard(): Promise<void>;
}

export interface CompareOptions {
  /** Compute canonical checksums of both sides. */
  checksums: boolean;
  /** Compute missing / extra / changed documents. */
  differences: boolean;
  /** Example ids kept per kind of difference. */
  examples: number;
}

export interface DocumentDifferences {
  count: number;
  /** Up to `examples` ids, in id order. */
  examples: string[];
}

export interface CollectionComparison {
  projection: string;
  collection: string;
  /** Documents in the current read model and in the rebuilt one. */
  current: number;
  rebuilt: number;
  /** Rebuilt but absent from the current read model. */
  missing: DocumentDifferences;
  /** In the current read model but not produced by the log. */
  extra: DocumentDifferences;
  /** In both, with different contents. */
  changed: DocumentDifferences;
  checksums?: { current: string; rebuilt: string };
}

export interface Comparison {
  /** Both sides reflect the log up to this position. */
  position: bigint | null;
  collections: CollectionComparison[];
  /** Over every compared collection, when checksums were asked for. */
  checksums?: { current: string; rebuilt: string };
}

/** The checksums of a comparison made with `checksums: true`. */
export const requireChecksums = (comparison: Pick<CollectionComparison, 'checksums'>): { current: string; rebuilt: string } => {
  if (!comparison.checksums) throw new Error('a comparison asked for checksums returned none');
  return comparison.checksums;
};

/** A comparison of these collections at `position`, with the checksums over all of them when asked for. */
export const comparisonOf = (
  position: bigint | null,
  collections: CollectionComparison[],
  options: Pick<CompareOptions, 'checksums'>,
): Comparison => ({
  position,
  collections,
  ...(options.checksums ? { checksums: combinedChecksums(collections) } : {}),
});

/** The checksums over every collection of a comparison made with `checksums: true` (Comparison.checksums). */
export const combinedChecksums = (collections: readonly CollectionComparison[]): { current: string; rebuilt: string } => {
  const current = new Map<string, string>();
  const rebuilt = new Map<string, string>();
  for (const comparison of collections) {
    const checksums = requireChecksums(comparison);
    current.set(comparison.collection, checksums.current);
    rebuilt.set(comparison.collection, checksums.rebuilt);
  }
  return { current: combineChecksums(current), rebuilt: combineChecksums(rebuilt) };
};

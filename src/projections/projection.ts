/**
 * The projection engine's types, shared by the projections (which implement them) and the
 * read-model adapters (which run them). Nothing here imports a store, so both sides can depend on
 * this module without a cycle.
 *
 * A projection is a pure function from (current document, event) to the next document, plus the
 * event types it handles and which documents each event touches. The same function serves the
 * inline path, the async projector and rebuilds, so it must be deterministic: no clock, no ids.
 */
import type { StoredEvent } from '../events/envelope.js';

export type { StoredEvent };

export type Document = Record<string, unknown> & { id: string; workspaceId: string };

/** A value a query or an index can compare: what a document field holds at the top level. */
export type Scalar = string | number | boolean | null;

/**
 * A secondary index a projection declares for its queries and its `where` selectors. Every index
 * is scoped to the workspace (the adapters put workspaceId first). `fields` are top-level document
 * fields compared as scalars; `multi` declares a single field that holds an array of scalars, the
 * index then finds the documents whose array contains a value (a "multikey" index).
 */
export interface IndexSpec {
  /** Unique within the collection: [a-z][a-z0-9_]*. */
  readonly name: string;
  readonly fields: readonly string[];
  readonly multi?: boolean;
}

/**
 * Which documents one event touches.
 * - `ids`: these documents, each evolved from its current state (null when it does not exist yet).
 * - `where`: every existing document of the workspace whose `field` equals `equals` (or, for a
 *   `multi` index, whose array contains it), found through a declared index, never by a scan.
 *   `evolve` is never called with null for these.
 */
export type DocumentSelector =
  | { readonly workspaceId: string; readonly ids: readonly string[] }
  | { readonly workspaceId: string; readonly where: { readonly field: string; readonly equals: Scalar } };

export interface Projection<D extends Document = Document> {
  /** Unique name; also the name of the checkpoint. */
  readonly name: string;
  /** Where its documents are stored (a table or a collection). */
  readonly collection: string;
  readonly handles: readonly string[];
  /** Secondary indexes of the collection, for queries and `where` selectors. */
  readonly indexes?: readonly IndexSpec[];
  /** The documents an event of a handled type touches. */
  documents(event: StoredEvent): DocumentSelector;
  /**
   * Next document, or null to delete it. `id` is the document's (as the selector named it or a
   * `where` found it): a view that keeps documents of more than one kind tells them apart by it.
   */
  evolve(current: D | null, event: StoredEvent, id: string): D | null;
}

export const handlesEvent = (projection: Projection, event: StoredEvent): boolean => projection.handles.includes(event.type);

/** The one document an event touches, for selectors that name ids. */
export const byId = (workspaceId: string, id: string): DocumentSelector => ({ workspaceId, ids: [id] });

/** A document as stored: its contents and the position of the last event that changed it. */
export interface StoredDocument {
  document: Document | null;
  position: bigint;
}

/**
 * The rule every adapter applies: an event is applied to a document only when the document has
 * not seen it yet (its stored position is before the event's), so replays change nothing.
 * Returns the next stored state, or null when there is nothing to write: the document has seen
 * the event, or `evolve` gave back the very document it was given (the event changes nothing in
 * it, so applying it again on a replay would change nothing either, and the stored position may
 * stay where it is). A view's per-workspace document that most events leave as it is (the
 * sessions view's bounds) then costs a read, not a write.
 */
export const evolveStored = (
  projection: Projection,
  id: string,
  stored: StoredDocument | null,
  event: StoredEvent,
): StoredDocument | null => {
  if (stored !== null && stored.position >= event.position) return null;
  const current = stored?.document ?? null;
  const document = projection.evolve(current, event, id);
  if (document === current) return null;
  return { document, position: event.position };
};

/** Folds a stream's events (in order) into document `id` in memory: for answers from the events themselves. */
export const projectEvents = (
  projection: Projection,
  id: string,
  events: readonly StoredEvent[],
  initial: Document | null = null,
): Document | null =>
  events.reduce<Document | null>((doc, event) => (handlesEvent(projection, event) ? projection.evolve(doc, event, id) : doc), initial);

const indexName = /^[a-z][a-z0-9_]*$/;

/**
 * A projection's index declarations as every adapter needs them: names of [a-z][a-z0-9_]*, unique
 * within the collection; at least one field; a `multi` index exactly one (its array field).
 * Checked once, when a view is defined and when a read model registers a projection, so a
 * declaration no adapter could serve fails the same way on every adapter.
 */
export const checkIndexes = (projection: Pick<Projection, 'collection' | 'indexes'>): void => {
  const names = new Set<string>();
  for (const index of projection.indexes ?? []) {
    const what = `index ${index.name} of collection ${projection.collection}`;
    if (!indexName.test(index.name)) throw new Error(`invalid index name ${index.name} (collection ${projection.collection})`);
    if (names.has(index.name)) throw new Error(`${what} is declared twice`);
    names.add(index.name);
    if (index.fields.length === 0) throw new Error(`${what} has no fields`);
    if (index.multi && index.fields.length !== 1) throw new Error(`multi ${what} must have exactly one field, has ${index.fields.length}`);
  }
};

/** The index a `where` selector or a query filter on `field` uses, or undefined when none is declared. */
export const indexFor = (projection: Pick<Projection, 'indexes'>, field: string): IndexSpec | undefined =>
  projection.indexes?.find((index) => index.fields[0] === field);

/**
 * MongoDB read models (production profile).
 *
 * One collection per projection collection; a document is stored under `_id` = its id with the
 * API document's fields at the top level plus `_position`, the global position of the last event
 * applied to it (zero-padded, see ./positions.ts). Reads strip `_id` and `_position`, so nothing of
 * MongoDB reaches an API response. Each collection has the indexes its projection declares
 * (./mongoIndexes.ts), which serve `query` and `where` selectors.
 *
 * A page of events is evolved in memory first (documents read once; `where` selectors through
 * their index, also seeing what the page evolved before), with the one rule of
 * ../../projections/projection.ts (`evolveStored`: an event a document has seen changes nothing),
 * then written with one unordered bulk write per collection. Each write is conditional on the
 * stored version it was evolved from, so a concurrent writer's change is never overwritten: the
 * loser reads the document again and re-applies its events. Checkpoints live in
 * `projection_checkpoints` and are advanced only after the page's documents are written, and only
 * forwards (at-least-once delivery, idempotent effect). MongoDB gives no multi-document atomicity
 * without a replica set, so "after" is the guarantee here, not "in the same write".
 *
 * API reads that cannot reach the server within the short server-selection timeout answer 503
 * (./outage.ts).
 */
import { MongoBulkWriteError, MongoClient, MongoServerError, type AnyBulkWriteOperation, type Collection, type Db } from 'mongodb';
import { evolveStored, type Projection, type Scalar } from '../../projections/projection.js';
import type { StoredEvent } from '../eventStore.js';
import { CollectionOwners, multiFieldsOf, type Document, type Query, type QueryPage, type ReadModelStore } from '../readModel.js';
import { isSafeId, requireCollectionName, requireSafeId } from './ids.js';
import { ensureDeclaredIndexes, matchesWhere, planQuery, whereFilter } from './mongoIndexes.js';
import { translateOutage } from './outage.js';
import { decodePosition, encodePosition } from './positions.js';

export interface StoredDocument {
  _id: string;
  workspaceId: string;
  _position: string;
  [field: string]: unknown;
}

export interface CheckpointDocument {
  _id: string;
  position: string;
  updatedAt: Date;
}

export const checkpointsCollection = 'projection_checkpoints';

const duplicateKey = 11000;

/** How many times a document write that lost an insert race is re-read and re-applied. */
const maxReapplies = 5;

/**
 * What a failed unordered bulk write means. `retry` lists the operations (by index) whose upsert
 * hit a duplicate key: a concurrent writer inserted the document between our guard and our
 * insert, so the document must be read again and our events applied to it (not dropped: that
 * writer may have stored an older state). Anything else, including a write-concern error that
 * comes along with write errors (the driver reports it on the result only), is a failure.
 */
export const bulkWriteOutcome = (error: unknown): { retry: number[] } | { fail: unknown } => {
  if (!(error instanceof MongoBulkWriteError)) return { fail: error };
  // One or several, as the driver types it.
  const writeErrors = [error.writeErrors].flat();
  const writeConcernError = error.err ?? error.result.getWriteConcernError();
  if (writeConcernError !== undefined) return { fail: error };
  if (writeErrors.length === 0 || !writeErrors.every((e) => e.code === duplicateKey)) return { fail: error };
  return { retry: writeErrors.map((e) => e.index) };
};

export const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === duplicateKey;

/** The API document of a stored one (no `_id`, no `_position`), fields in their stored order. */
export const fromStored = (stored: StoredDocument): Document => {
  const document: Record<string, unknown> = {};
  for (const field in stored) if (field !== '_id' && field !== '_position') document[field] = stored[field];
  return document as Document;
};

/** The operations of a bulk write at the indexes its error names. */
const operationsAt = <T>(operations: readonly T[], indexes: readonly number[]): T[] =>
  indexes.map((index) => {
    const operation = operations[index];
    if (operation === undefined) throw new Error(`a bulk write of ${operations.length} operations reported one at index ${index}`);
    return operation;
  });

/** A document's state in memory while a page is evolved. */
interface DocumentState {
  document: Document | null;
  position: bigint;
}

/**
 * One document's pending write: its new state, the events (in order) that made it, and the
 * position of the stored document it was evolved from (null: there was none).
 */
export interface PendingDocument {
  id: string;
  workspaceId: string;
  state: DocumentState;
  events: StoredEvent[];
  base: bigint | null;
}

export interface PendingWrites {
  projection: Projection;
  collection: Collection<StoredDocument>;
  documents: PendingDocument[];
}

/**
 * The conditional write of a document's state. A replacement applies only to the stored
 * document it was evolved from (same `_position`, or none at all): when another writer changed
 * or inserted it meanwhile, the filter matches nothing, the upsert's insert hits the `_id` and
 * the duplicate key says "read it again and re-apply" (see writeDocuments). A deletion applies
 * to any older version.
 */
export const writeOperation = (
  pending: Pick<PendingDocument, 'id' | 'workspaceId' | 'state' | 'base'>,
): AnyBulkWriteOperation<StoredDocument> => {
  const position = encodePosition(pending.state.position);
  if (pending.state.document === null) return { deleteOne: { filter: { _id: pending.id, _position: { $lt: position } } } };
  const filter =
    pending.base === null
      ? { _id: pending.id, _position: { $exists: false } }
      : { _id: pending.id, _position: encodePosition(pending.base) };
  return {
    replaceOne: {
      filter,
      replacement: { ...pending.state.document, workspaceId: pending.workspaceId, _position: position },
      upsert: true,
    },
  };
};

/**
 * A document's events applied again to the document as it is stored now (after a concurrent
 * writer's insert), skipping those it has already seen. Null when it has seen them all.
 */
export const reapply = (
  projection: Projection,
  id: string,
  stored: StoredDocument | null,
  events: readonly StoredEvent[],
): DocumentState | null => {
  let state: DocumentState | null = stored ? { document: fromStored(stored), position: decodePosition(stored._position) } : null;
  let changed = false;
  for (const event of events) {
    const next = evolveStored(projection, id, state, event);
    if (next === null) continue;
    state = next;
    changed = true;
  }
  return changed ? state : null;
};

export interface MongoReadModelOptions {
  /** The projections whose collections this read model serves (their indexes are created on first use). */
  projections?: readonly Projection[];
}

export class MongoReadModel implements ReadModelStore {
  private readonly checkpoints: Collection<CheckpointDocument>;
  /** The projection that declares each collection's indexes: the first one registered for it. */
  private readonly owners = new CollectionOwners();
  private readonly indexed = new Map<string, Promise<void>>();

  constructor(
    readonly db: Db,
    /** Closed by close(); omit when someone else owns the client. */
    private readonly client?: MongoClient,
    options: MongoReadModelOptions = {},
  ) {
    this.checkpoints = db.collection<CheckpointDocument>(checkpointsCollection);
    for (const projection of options.projections ?? []) this.register(projection);
  }

  /** Creates the declared indexes of these projections' collections (and registers them), at start. */
  async ensureIndexes(projections: readonly Projection[]): Promise<void> {
    for (const projection of projections) this.register(projection);
    for (const projection of projections) await this.indexesOf(projection);
  }

  /** The projection that owns a collection (declares its indexes), if any. */
  ownerOf(collection: string): Projection | undefined {
    return this.owners.get(collection);
  }

  async find(collection: string, workspaceId: string, id: string): Promise<Document | null> {
    if (!isSafeId(id) || !isSafeId(workspaceId)) return null;
    const stored = await translateOutage(() => this.collection(collection).findOne({ _id: id, workspaceId }));
    return stored ? fromStored(stored) : null;
  }

  async findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]> {
    if (!isSafeId(workspaceId)) return [];
    const wanted = [...new Set(ids.filter(isSafeId))];
    if (wanted.length === 0) return [];
    const found = await translateOutage(() =>
      this.collection(collection)
        .find({ _id: { $in: wanted }, workspaceId })
        .toArray(),
    );
    const byId = new Map(found.map((stored) => [stored._id, fromStored(stored)]));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  async query(collection: string, workspaceId: string, query: Query): Promise<QueryPage> {
    const owner = this.owners.ofQueried(collection);
    const plan = planQuery(owner, workspaceId, query);
    if (!isSafeId(workspaceId)) return { documents: [], next: null };
    await this.indexesOf(owner);
    const rows = await translateOutage(() =>
      this.collection(collection)
        .find(plan.filter as never, { sort: plan.sort, hint: plan.hint, limit: query.limit + 1 })
        .toArray(),
    );
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    const sortValue = (row: StoredDocument): Scalar => (row[plan.sortField] ?? null) as Scalar;
    return {
      documents: page.map(fromStored),
      next: more && last ? { value: sortValue(last), id: last._id } : null,
    };
  }

  async apply(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    const checkpoints = await this.checkpointsOf(projections.map((p) => p.name));
    const writes: PendingWrites[] = [];
    const advanced: { name: string; position: bigint }[] = [];
    // Everything is evolved before anything is written, so a projection that throws writes nothing.
    for (const projection of projections) {
      const from = checkpoints.get(projection.name);
      const pending = from === undefined ? events : events.filter((event) => event.position > from);
      const last = pending[pending.length - 1];
      if (last === undefined) continue;
      const handled = pending.filter((event) => projection.handles.includes(event.type));
      if (handled.length > 0) writes.push(await this.evolveProjection(projection, handled));
      advanced.push({ name: projection.name, position: last.position });
    }
    for (const pending of writes) await this.writeDocuments(pending);
    // Only after the documents are written: a crash in between replays events, which changes nothing.
    await this.writeCheckpoints(this.checkpointOperations(advanced));
  }

  async checkpoint(projection: string): Promise<bigint | null> {
    const stored = await translateOutage(() => this.checkpoints.findOne({ _id: requireSafeId('projection name', projection) }));
    return stored ? decodePosition(stored.position) : null;
  }

  async ping(): Promise<void> {
    await translateOutage(() => this.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  // ---- internals ----

  private collection(name: string): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(requireCollectionName(name));
  }

  private register(projection: Projection): Projection {
    requireCollectionName(projection.collection);
    return this.owners.register(projection);
  }

  /** The owner's declared indexes exist on its collection (created once per process). */
  private indexesOf(projection: Projection): Promise<void> {
    const owner = this.register(projection);
    let ready = this.indexed.get(owner.collection);
    if (!ready) {
      ready = ensureDeclaredIndexes(this.collection(owner.collection) as unknown as Collection, owner);
      // A failed attempt (server down at start) is tried again on the next use.
      ready.catch(() => this.indexed.delete(owner.collection));
      this.indexed.set(owner.collection, ready);
    }
    return ready;
  }

  private async checkpointsOf(names: readonly string[]): Promise<Map<string, bigint>> {
    const ids = names.map((name) => requireSafeId('projection name', name));
    const stored = await this.checkpoints.find({ _id: { $in: ids } }).toArray();
    return new Map(stored.map((c) => [c._id, decodePosition(c.position)]));
  }

  /**
   * A projection's events evolved in memory, one pending write per touched document, for
   * `collectionName` (default: the projection's own collection; a rebuild passes its fresh one).
   * `ids` selectors read the documents they name; `where` selectors read, through the declared
   * index, the stored documents that match, and also see the documents evolved earlier in the
   * same page (a session created by the page's first event is renamed by its second).
   */
  async evolveProjection(
    projection: Projection,
    events: readonly StoredEvent[],
    collectionName = projection.collection,
  ): Promise<PendingWrites> {
    const owner = collectionName === projection.collection ? this.register(projection) : projection;
    if (collectionName === projection.collection) await this.indexesOf(projection);
    const multiFields = new Set(multiFieldsOf(owner));
    const collection = this.collection(collectionName);
    const selected = events.map((event) => ({ event, selector: projection.documents(event) }));

    // What each document is at this point of the page, and the stored position it started from.
    const known = new Map<string, { state: DocumentState | null; workspaceId: string | null; base: bigint | null }>();
    const remember = (stored: StoredDocument): void => {
      if (!known.has(stored._id)) {
        const position = decodePosition(stored._position);
        known.set(stored._id, { state: { document: fromStored(stored), position }, workspaceId: stored.workspaceId, base: position });
      }
    };
    const named = [
      ...new Set(
        selected.flatMap(({ selector }) =>
          'ids' in selector ? selector.ids.map((id) => requireSafeId(`${projection.name} document id`, id)) : [],
        ),
      ),
    ];
    if (named.length > 0) for (const stored of await collection.find({ _id: { $in: named } }).toArray()) remember(stored);

    const changed = new Map<string, PendingDocument>();
    for (const { event, selector } of selected) {
      const workspaceId = requireSafeId('workspaceId', selector.workspaceId);
      let ids: string[];
      if ('ids' in selector) {
        ids = [...new Set(selector.ids)];
      } else {
        const { field, equals } = selector.where;
        const { filter, hint } = whereFilter(owner, workspaceId, field, equals);
        for (const stored of await collection.find(filter as never, { hint }).toArray()) remember(stored);
        ids = [...known]
          .filter(([, entry]) => {
            const document = entry.state?.document;
            return document != null && entry.workspaceId === workspaceId && matchesWhere(document, multiFields.has(field), field, equals);
          })
          .map(([id]) => id)
          .sort();
      }
      for (const id of ids) {
        const entry = known.get(id);
        const next = evolveStored(projection, id, entry?.state ?? null, event);
        if (next === null) continue;
        const base = entry?.base ?? null;
        known.set(id, { state: next, workspaceId, base });
        const pending = changed.get(id) ?? { id, workspaceId, state: next, events: [], base };
        pending.state = next;
        pending.workspaceId = workspaceId;
        pending.events.push(event);
        changed.set(id, pending);
      }
    }
    return { projection, collection, documents: [...changed.values()] };
  }

  /**
   * One unordered bulk write of the pending documents. A document another writer changed or
   * inserted since it was read (its conditional upsert hit the `_id`) is read again and its
   * events re-applied to what is stored (a few times at most); one that has seen them all by then
   * is left as it is.
   */
  async writeDocuments({ projection, collection, documents }: PendingWrites): Promise<void> {
    let pending = documents;
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      let retry: number[];
      try {
        await collection.bulkWrite(pending.map(writeOperation), { ordered: false });
        return;
      } catch (error) {
        const outcome = bulkWriteOutcome(error);
        if ('fail' in outcome) throw outcome.fail;
        retry = outcome.retry;
      }
      if (attempt >= maxReapplies)
        throw new Error(`${projection.name}: documents kept changing under concurrent writers (${retry.length} not written)`);
      const lost = operationsAt(pending, retry);
      const stored = new Map((await collection.find({ _id: { $in: lost.map((p) => p.id) } }).toArray()).map((s) => [s._id, s]));
      pending = lost.flatMap((document) => {
        const current = stored.get(document.id) ?? null;
        const state = reapply(projection, document.id, current, document.events);
        return state === null ? [] : [{ ...document, state, base: current ? decodePosition(current._position) : null }];
      });
    }
  }

  /** Checkpoints only move forwards (see checkpointOperations). */
  private async writeCheckpoints(operations: AnyBulkWriteOperation<CheckpointDocument>[]): Promise<void> {
    let pending = operations;
    // A duplicate key is an upsert that lost the insert race (tried once more: its guard then
    // matches a lower checkpoint) or whose guard met a newer checkpoint (then nothing to do).
    for (let attempt = 0; attempt < 2 && pending.length > 0; attempt += 1) {
      try {
        await this.checkpoints.bulkWrite(pending, { ordered: false });
        return;
      } catch (error) {
        const outcome = bulkWriteOutcome(error);
        if ('fail' in outcome) throw outcome.fail;
        pending = operationsAt(pending, outcome.retry);
      }
    }
  }

  private checkpointOperations(advanced: readonly { name: string; position: bigint }[]): AnyBulkWriteOperation<CheckpointDocument>[] {
    const updatedAt = new Date();
    return advanced.map(({ name, position }) => {
      const stored = encodePosition(position);
      return {
        updateOne: {
          // Never backwards: a slower writer's older checkpoint does not match and changes nothing.
          filter: { _id: name, position: { $lt: stored } },
          update: { $set: { position: stored, updatedAt } },
          upsert: true,
        },
      };
    });
  }
}

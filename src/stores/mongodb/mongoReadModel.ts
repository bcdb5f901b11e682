/**
 * MongoDB read models (production profile).
 *
 * One collection per projection collection; a document is stored under `_id` = its id with the
 * API document's fields at the top level plus `_position`, the global position of the last event
 * applied to it (zero-padded, see ./positions.ts). Reads strip `_id` and `_position`, so nothing of
 * MongoDB reaches an API response.
 *
 * Writes are idempotent: every document write is conditional on the stored `_position` being lower
 * than the event's, so a replayed or duplicated event changes nothing. Checkpoints live in
 * `projection_checkpoints` and are advanced only after the page's documents are written, and only
 * forwards (at-least-once delivery, idempotent effect). MongoDB gives no multi-document atomicity
 * without a replica set, so "after" is the guarantee here, not "in the same write".
 */
import {
  MongoBulkWriteError,
  MongoClient,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Collection,
  type Db,
  type WriteError,
} from 'mongodb';
import type { Projection } from '../../projections/projection.js';
import type { StoredEvent } from '../eventStore.js';
import type { Document, Query, QueryPage, ReadModelStore } from '../readModel.js';
import { isSafeId, requireCollectionName, requireSafeId } from './ids.js';
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

/** True when every write error of a bulk write is a duplicate key: an upsert whose guard did not match an existing, newer document. */
const onlyStaleWrites = (error: unknown): boolean => {
  if (!(error instanceof MongoBulkWriteError)) return false;
  const writeErrors: WriteError[] = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  return writeErrors.length > 0 && error.err === undefined && writeErrors.every((e) => e.code === duplicateKey);
};

export const isDuplicateKey = (error: unknown): boolean => error instanceof MongoServerError && error.code === duplicateKey;

/** The API document of a stored one (no `_id`, no `_position`), fields in their stored order. */
export const fromStored = (stored: StoredDocument): Document => {
  const { _id, _position, ...document } = stored;
  return document as Document;
};

export interface PendingWrites {
  collection: Collection<StoredDocument>;
  operations: AnyBulkWriteOperation<StoredDocument>[];
}

interface DocumentState {
  document: Document | null;
  position: bigint;
  workspaceId: string;
}

export class MongoReadModel implements ReadModelStore {
  private readonly checkpoints: Collection<CheckpointDocument>;

  constructor(
    readonly db: Db,
    /** Closed by close(); omit when someone else owns the client. */
    private readonly client?: MongoClient,
  ) {
    this.checkpoints = db.collection<CheckpointDocument>(checkpointsCollection);
  }

  /** Indexes for every query the read side makes: documents by workspace and id. */
  async ensureIndexes(projections: readonly Projection[]): Promise<void> {
    for (const collection of new Set(projections.map((p) => p.collection))) {
      await this.collection(collection).createIndex({ workspaceId: 1, _id: 1 }, { name: 'workspaceId_id' });
    }
  }

  async find(collection: string, workspaceId: string, id: string): Promise<Document | null> {
    if (!isSafeId(id) || !isSafeId(workspaceId)) return null;
    const stored = await this.collection(collection).findOne({ _id: id, workspaceId });
    return stored ? fromStored(stored) : null;
  }

  async findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]> {
    if (!isSafeId(workspaceId)) return [];
    const wanted = [...new Set(ids.filter(isSafeId))];
    if (wanted.length === 0) return [];
    const found = await this.collection(collection).find({ _id: { $in: wanted }, workspaceId }).toArray();
    const byId = new Map(found.map((stored) => [stored._id, fromStored(stored)]));
    return wanted.flatMap((id) => byId.get(id) ?? []);
  }

  query(_collection: string, _workspaceId: string, _query: Query): Promise<QueryPage> {
    return Promise.reject(new Error('MongoReadModel.query is not implemented yet'));
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
      if (pending.length === 0) continue;
      const handled = pending.filter((event) => projection.handles.includes(event.type));
      if (handled.length > 0) writes.push(await this.evolveProjection(projection, handled));
      advanced.push({ name: projection.name, position: pending[pending.length - 1]!.position });
    }
    for (const { collection, operations } of writes) await this.write(collection, operations);
    // Only after the documents are written: a crash in between replays events, which changes nothing.
    await this.write(this.checkpoints, this.checkpointOperations(advanced));
  }

  async checkpoint(projection: string): Promise<bigint | null> {
    const stored = await this.checkpoints.findOne({ _id: requireSafeId('projection name', projection) });
    return stored ? decodePosition(stored.position) : null;
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client?.close();
  }

  // ---- internals ----

  private collection(name: string): Collection<StoredDocument> {
    return this.db.collection<StoredDocument>(requireCollectionName(name));
  }

  private async checkpointsOf(names: readonly string[]): Promise<Map<string, bigint>> {
    const ids = names.map((name) => requireSafeId('projection name', name));
    const stored = await this.checkpoints.find({ _id: { $in: ids } }).toArray();
    return new Map(stored.map((c) => [c._id, decodePosition(c.position)]));
  }

  /**
   * A projection's events evolved in memory into guarded, idempotent writes, one per document, for
   * `collectionName` (default: the projection's own collection; a rebuild passes its fresh one).
   */
  async evolveProjection(projection: Projection, events: readonly StoredEvent[], collectionName = projection.collection): Promise<PendingWrites> {
    const keyed = events.map((event) => {
      const selector = projection.documents(event);
      // Being written on the mongo-kurrent branch: `where` selectors and several ids per event.
      if (!('ids' in selector) || selector.ids.length !== 1) throw new Error('MongoReadModel: only single-id selectors are supported yet');
      return { event, id: requireSafeId(`${projection.name} document id`, selector.ids[0]!), workspaceId: requireSafeId('workspaceId', selector.workspaceId) };
    });
    const collection = this.collection(collectionName);
    const ids = [...new Set(keyed.map((k) => k.id))];
    const current = new Map<string, DocumentState>();
    for (const stored of await collection.find({ _id: { $in: ids } }).toArray()) {
      current.set(stored._id, { document: fromStored(stored), position: decodePosition(stored._position), workspaceId: stored.workspaceId });
    }

    const changed = new Map<string, DocumentState>();
    for (const { event, id, workspaceId } of keyed) {
      const state = changed.get(id) ?? current.get(id);
      if (state && state.position >= event.position) continue;
      changed.set(id, { document: projection.evolve(state?.document ?? null, event), position: event.position, workspaceId });
    }

    const operations: AnyBulkWriteOperation<StoredDocument>[] = [...changed].map(([id, state]) => {
      const position = encodePosition(state.position);
      // The guard makes the write a no-op when the stored document has seen this event already.
      const filter = { _id: id, _position: { $lt: position } };
      if (state.document === null) return { deleteOne: { filter } };
      return {
        replaceOne: {
          filter,
          replacement: { ...state.document, workspaceId: state.workspaceId, _position: position },
          upsert: true,
        },
      };
    });
    return { collection, operations };
  }

  /** An unordered bulk write where a duplicate key means "a newer version is already stored". */
  async write<T extends StoredDocument | CheckpointDocument>(collection: Collection<T>, operations: AnyBulkWriteOperation<T>[]): Promise<void> {
    if (operations.length === 0) return;
    try {
      await collection.bulkWrite(operations, { ordered: false });
    } catch (error) {
      // An upsert whose guard did not match an existing, newer document: nothing to do.
      if (!onlyStaleWrites(error)) throw error;
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

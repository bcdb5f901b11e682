/**
 * Blue/green rebuild of the MongoDB read models (see RebuildableReadModel in ../readModel.ts).
 *
 * Each projection is built into `<collection>__rebuild_<token>` with the documents, guarded writes
 * and indexes of the live collection, while the API keeps reading (and the async projector keeps
 * writing) the live ones. The rebuild's own position is kept in memory and in a
 * `projection_rebuilds` document (for operators looking at a running or abandoned rebuild).
 *
 * The comparison and the switch run while the rebuild holds the projector lease (the one the
 * async projector of src/profiles/production.ts takes), so that nothing else writes the read models
 * meanwhile: a lease held by a live projector is taken over, then the rebuild waits out that
 * projector's lease time, after which it has stopped writing (it writes only within its lease).
 * The switch brings the new collections to the head of the log, renames each over its live one
 * (`renameCollection` with `dropTarget`), moves the checkpoints to the rebuild's position and
 * gives the lease back; the projector then goes on from there. MongoDB renames one collection at a
 * time: between two renames a reader can see one collection rebuilt and another not yet, each
 * consistent with the log up to its own checkpoint.
 */
import { hostname } from 'node:os';
import { MongoServerError, type Collection, type Db, type IndexDescriptionInfo } from 'mongodb';
import { projectorLease } from '../../projections/ports.js';
import type { Projection } from '../../projections/projection.js';
import type { EventStore, StoredEvent } from '../eventStore.js';
import {
  comparisonOf,
  requireChecksums,
  type BeginRebuildOptions,
  type CollectionComparison,
  type CompareOptions,
  type Comparison,
  type RebuildableReadModel,
  type RebuildTarget,
} from '../readModel.js';
import { readModelChecksum, type CollectionSum, type ReadModelChecksum } from '../../projections/checksum.js';
import { advancedPosition, catchUpLive, checkRebuildProjections, feedTail } from '../rebuildTargets.js';
import { leasesCollection, MongoLease, type LeaseDocument } from './mongoLease.js';
import { checkpointsCollection, fromStored, type CheckpointDocument, type MongoReadModel, type StoredDocument } from './mongoReadModel.js';
import { copiedIndexOptions, createIndex, ensureDeclaredIndexes, legacyWorkspaceIdIndex } from './mongoIndexes.js';
import { encodePosition } from './positions.js';
import { compareSortedDocuments, newRebuildToken, rebuildCollectionName, type ComparedDocument } from './rebuildCompare.js';

export const rebuildsCollection = 'projection_rebuilds';

/** Lease owners that are rebuilds start with this: a rebuild never takes the lease over from another rebuild. */
export const rebuildOwnerPrefix = 'rebuild:';

export interface RebuildDocument {
  _id: string;
  owner: string;
  projections: string[];
  collections: string[];
  /** Position the rebuilt collections reflect (zero-padded, see ./positions.ts), null before the first page. */
  position: string | null;
  startedAt: Date;
  updatedAt: Date;
}

export class ProjectorLeaseError extends Error {
  readonly code = 'projector-lease';
  constructor(message: string) {
    super(message);
    this.name = 'ProjectorLeaseError';
  }
}

export interface MongoRebuildSettings {
  /** The projector lease to hold while comparing and switching (default: `projectorLease`, ../../projections/ports.ts). */
  leaseName: string;
  /**
   * After taking the lease over from a live projector, how long to wait for it to stop writing:
   * its lease time (it writes only while its last renewal is younger than that), plus a margin.
   */
  takeoverWaitMs: number;
  /** The rebuild's own hold on the lease, renewed every third of it. */
  leaseTtlMs: number;
  /** Events per read and per write when the rebuild reads the log's tail itself. */
  tailPageSize: number;
}

export const defaultMongoRebuildSettings: MongoRebuildSettings = {
  leaseName: projectorLease.name,
  takeoverWaitMs: projectorLease.ttlMs + 1_000,
  leaseTtlMs: 60_000,
  tailPageSize: 500,
};

/**
 * The MongoDB read model's rebuild capability. `events` is the log the rebuild reads itself to
 * catch up before comparing and switching (the same log the caller feeds pages from).
 */
export const mongoRebuildable = (
  readModel: MongoReadModel,
  events: EventStore,
  settings: Partial<MongoRebuildSettings> = {},
): RebuildableReadModel => ({
  beginRebuild: (projections, options) =>
    MongoRebuild.begin(readModel, events, projections, options, { ...defaultMongoRebuildSettings, ...settings }),
});

const namespaceNotFound = 26;
const isNamespaceNotFound = (error: unknown): boolean => error instanceof MongoServerError && error.code === namespaceNotFound;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Slot {
  projection: Projection;
  live: string;
  next: string;
}

/** Documents of a collection in `_id` order, streamed, as compared and hashed. */
async function* sortedDocuments(collection: Collection<StoredDocument>): AsyncGenerator<ComparedDocument> {
  const cursor = collection.find({}, { sort: { _id: 1 } });
  try {
    for await (const stored of cursor) {
      yield { id: stored._id, workspaceId: stored.workspaceId, json: JSON.stringify(fromStored(stored)) };
    }
  } finally {
    await cursor.close();
  }
}

/** Canonical checksum (../../projections/checksum.ts) of the live MongoDB read models of these projections. */
export const mongoReadModelChecksum = async (db: Db, projections: readonly Projection[]): Promise<ReadModelChecksum> => {
  const sums = new Map<string, CollectionSum>();
  for (const projection of projections) {
    const result = await compareSortedDocuments([], sortedDocuments(db.collection<StoredDocument>(projection.collection)), {
      checksums: true,
      differences: false,
      examples: 0,
    });
    sums.set(projection.collection, { checksum: requireChecksums(result).rebuilt, documents: result.rebuilt });
  }
  return readModelChecksum(sums);
};

class MongoRebuild implements RebuildTarget {
  private lastPosition: bigint | null = null;
  private finished = false;
  private readonly db: Db;
  private readonly owner: string;

  static async begin(
    readModel: MongoReadModel,
    events: EventStore,
    projections: readonly Projection[],
    options: BeginRebuildOptions,
    settings: MongoRebuildSettings,
  ): Promise<MongoRebuild> {
    checkRebuildProjections(projections);
    const token = newRebuildToken();
    const slots = projections.map((projection) => ({
      projection,
      live: projection.collection,
      next: rebuildCollectionName(projection.collection, token),
    }));
    const rebuild = new MongoRebuild(readModel, events, slots, options, settings, token);
    const now = new Date();
    await readModel.db.collection<RebuildDocument>(rebuildsCollection).insertOne({
      _id: token,
      owner: rebuild.owner,
      projections: projections.map((p) => p.name),
      collections: slots.map((s) => s.next),
      position: null,
      startedAt: now,
      updatedAt: now,
    });
    try {
      for (const slot of slots) await rebuild.copyIndexes(slot);
    } catch (error) {
      await rebuild.discard().catch(() => undefined);
      throw error;
    }
    return rebuild;
  }

  private constructor(
    private readonly readModel: MongoReadModel,
    private readonly events: EventStore,
    private readonly slots: readonly Slot[],
    private readonly options: BeginRebuildOptions,
    private readonly settings: MongoRebuildSettings,
    private readonly token: string,
  ) {
    this.db = readModel.db;
    this.owner = `${rebuildOwnerPrefix}${hostname()}:${process.pid}:${token}`;
  }

  get position(): bigint | null {
    return this.lastPosition;
  }

  /** The page evolved in memory (documents read once per page), then one unordered bulkWrite per collection. */
  async applyPage(events: readonly StoredEvent[], through?: bigint): Promise<void> {
    this.ensureOpen();
    const writes = [];
    for (const slot of this.slots) {
      const handled = events.filter((event) => slot.projection.handles.includes(event.type));
      if (handled.length > 0) writes.push(await this.readModel.evolveProjection(slot.projection, handled, slot.next));
    }
    await Promise.all(writes.map((pending) => this.readModel.writeDocuments(pending)));
    const covered = advancedPosition(this.lastPosition, events, through);
    if (covered !== undefined) {
      this.lastPosition = covered;
      await this.db
        .collection<RebuildDocument>(rebuildsCollection)
        .updateOne({ _id: this.token }, { $set: { position: encodePosition(covered), updatedAt: new Date() } });
    }
  }

  async compare(options: CompareOptions): Promise<Comparison & { applied: number }> {
    this.ensureOpen();
    // A first catch-up without the lease keeps the time the projector is held to a minimum.
    let applied = await this.catchUpTarget();
    return this.withProjectorLease(async () => {
      applied += await this.catchUpTarget();
      // The live projector is stopped: bring the live collections to the same position, as it would have.
      await this.catchUpLive();
      const collections: CollectionComparison[] = [];
      for (const slot of this.slots) {
        const counts = await compareSortedDocuments(
          sortedDocuments(this.db.collection<StoredDocument>(slot.live)),
          sortedDocuments(this.db.collection<StoredDocument>(slot.next)),
          options,
        );
        collections.push({ projection: slot.projection.name, collection: slot.live, ...counts });
      }
      return { ...comparisonOf(this.lastPosition, collections, options), applied };
    });
  }

  async switchOver(): Promise<{ applied: number; position: bigint | null }> {
    this.ensureOpen();
    let applied = await this.catchUpTarget();
    await this.withProjectorLease(async (stillHeld) => {
      applied += await this.catchUpTarget();
      await stillHeld();
      for (const slot of this.slots) await this.db.renameCollection(slot.next, slot.live, { dropTarget: true });
      this.finished = true;
      const checkpoints = this.db.collection<CheckpointDocument>(checkpointsCollection);
      for (const slot of this.slots) {
        const name = slot.projection.name;
        if (this.lastPosition === null) await checkpoints.deleteOne({ _id: name });
        else
          await checkpoints.updateOne(
            { _id: name },
            { $set: { position: encodePosition(this.lastPosition), updatedAt: new Date() } },
            { upsert: true },
          );
      }
    });
    await this.db.collection<RebuildDocument>(rebuildsCollection).deleteOne({ _id: this.token });
    return { applied, position: this.lastPosition };
  }

  async discard(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    for (const slot of this.slots) {
      await this.db.dropCollection(slot.next).catch((error: unknown) => {
        if (!isNamespaceNotFound(error)) throw error;
      });
    }
    await this.db.collection<RebuildDocument>(rebuildsCollection).deleteOne({ _id: this.token });
  }

  // ---- internals ----

  private ensureOpen(): void {
    if (this.finished) throw new Error('this rebuild has already been switched over or discarded');
  }

  /**
   * The new collection gets the projection's declared indexes (the definitions of this release,
   * also what `where` selectors use while it is built) and a copy of every other index of the
   * live one (created by an operator), with all its options: collation, TTL, partial filter,
   * text weights and language, sparse, unique, hidden.
   */
  private async copyIndexes(slot: Slot): Promise<void> {
    const next = this.db.collection<StoredDocument>(slot.next);
    let indexes: IndexDescriptionInfo[] = [];
    try {
      indexes = await this.db.collection(slot.live).indexes();
    } catch (error) {
      if (!isNamespaceNotFound(error)) throw error;
    }
    await ensureDeclaredIndexes(next as unknown as Collection, slot.projection);
    for (const index of indexes) {
      const name = index.name ?? '';
      if (name === '_id_' || name === legacyWorkspaceIdIndex || name.startsWith('ix_')) continue;
      await createIndex(next, index.key, copiedIndexOptions(index));
    }
  }

  /**
   * Reads the log after the rebuild's position up to (at least) the head read first, a page per
   * write. Returns the events applied.
   */
  private async catchUpTarget(): Promise<number> {
    const head = await this.events.headPosition();
    const tail = { after: this.lastPosition, pageSize: this.settings.tailPageSize };
    const applied = await feedTail(this.events, this.options, tail, (page, through) => this.applyPage(page, through));
    // With a type filter the last event read may lie before the head; every event up to the head
    // that matters has been read, so the rebuild covers the log up to there.
    if (head !== null && advancedPosition(this.lastPosition, [], head) !== undefined) await this.applyPage([], head);
    return applied;
  }

  /** While the lease is held: applies the log to the live collections up to the rebuild's position. */
  private async catchUpLive(): Promise<void> {
    const projections = this.slots.map((s) => s.projection);
    const readModel = this.readModel;
    // One by one, as far as needed: a projection without a checkpoint means the whole log.
    async function* checkpoints(): AsyncGenerator<bigint | null> {
      for (const projection of projections) yield await readModel.checkpoint(projection.name);
    }
    const settings = { until: this.lastPosition, pageSize: this.settings.tailPageSize, checkpoints: checkpoints() };
    await catchUpLive(this.events, this.options, settings, (prepared) => this.readModel.apply(projections, prepared));
  }

  /**
   * Runs `work` while this rebuild holds the projector lease, taking it over from a live
   * projector (then waiting until that one has stopped writing) but never from another rebuild.
   * `work` gets a check that throws when the lease was lost meanwhile.
   */
  private async withProjectorLease<T>(work: (stillHeld: () => Promise<void>) => Promise<T>): Promise<T> {
    const { leaseName, leaseTtlMs, takeoverWaitMs } = this.settings;
    const lease = new MongoLease(this.db, leaseName, this.owner, leaseTtlMs);
    if (!(await lease.tryAcquire())) await this.takeOverLease(leaseName, leaseTtlMs, takeoverWaitMs);
    let lost = false;
    const renew = setInterval(
      () => {
        lease.tryAcquire().then(
          (held) => {
            if (!held) lost = true;
          },
          () => undefined,
        );
      },
      Math.max(50, Math.floor(leaseTtlMs / 3)),
    );
    const stillHeld = async (): Promise<void> => {
      if (lost || !(await lease.tryAcquire())) {
        lost = true;
        throw new ProjectorLeaseError(`the rebuild lost the projector lease "${leaseName}" before switching; nothing was switched`);
      }
    };
    try {
      return await work(stillHeld);
    } finally {
      clearInterval(renew);
      await lease.release();
    }
  }

  private async takeOverLease(name: string, ttlMs: number, waitMs: number): Promise<void> {
    const leases = this.db.collection<LeaseDocument>(leasesCollection);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const holder = await leases.findOne({ _id: name });
      if (holder === null) {
        if (await new MongoLease(this.db, name, this.owner, ttlMs).tryAcquire()) return;
        continue;
      }
      if (holder.owner.startsWith(rebuildOwnerPrefix)) {
        throw new ProjectorLeaseError(
          `another rebuild holds the projector lease "${name}" (${holder.owner}, until ${holder.expiresAt.toISOString()}); ` +
            'wait for it to finish, or for the lease to expire if that rebuild is gone',
        );
      }
      // Conditional on the holder we saw, so that a change in between makes us look again.
      const taken = await leases.updateOne({ _id: name, owner: holder.owner }, [
        { $set: { owner: this.owner, expiresAt: { $add: ['$$NOW', ttlMs] } } },
      ]);
      if (taken.modifiedCount === 1) {
        // The projector stops at its next renewal and writes nothing once its last renewal is
        // older than its lease time: wait that long before anything depends on it.
        await sleep(waitMs);
        return;
      }
    }
    throw new ProjectorLeaseError(`could not take the projector lease "${name}": it kept changing hands`);
  }
}

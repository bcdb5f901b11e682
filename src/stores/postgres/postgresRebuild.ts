/**
 * Blue/green rebuild of the PostgreSQL read models (see RebuildableReadModel in ../readModel.ts).
 *
 * Each projection is built into `rm_<collection>__next`, with the indexes of the live table, while
 * the API reads (and the async projector writes) the live ones. One rebuild at a time: a session
 * advisory lock on a connection of the rebuild's own.
 *
 * The comparison and the switch each run in one transaction that first locks the projections'
 * checkpoint rows. The async projector's `apply` starts by locking the same rows
 * (./postgresReadModel.ts), so it waits meanwhile: no lease juggling, no wall clock. Inside it,
 * the new tables are brought to the head of the log and (for a comparison) the live ones to the
 * same position, then compared in id order through two server-side cursors; or (for the switch)
 * the live tables are dropped, the new ones renamed over them and the checkpoints moved, all in
 * one commit. The projector then goes on from the moved checkpoints.
 */
import pg from 'pg';
import { readModelChecksum, type CollectionSum, type ReadModelChecksum } from '../../projections/checksum.js';
import { DocumentComparison, type ComparedDocument } from '../../projections/documentComparison.js';
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
import { advancedPosition, catchUpLive, checkRebuildProjections, feedTail } from '../rebuildTargets.js';
import { CollectionTable, createCollectionTable, renameCollectionTable, tableFor, type Queryable } from './collectionTable.js';
import { collectionsLockKey, onlyRow, type PostgresDatabase } from './database.js';
import type { PostgresReadModel } from './postgresReadModel.js';

const rebuildLockKey = 0x5e55_0003;

export class RebuildInProgressError extends Error {
  readonly code = 'rebuild-in-progress';
  constructor() {
    super('another rebuild of these read models is running (it holds the rebuild lock); wait for it to finish');
    this.name = 'RebuildInProgressError';
  }
}

interface Slot {
  projection: Projection;
  live: CollectionTable;
  next: CollectionTable;
}

export interface PostgresRebuildSettings {
  /** Events per read and per write when the rebuild reads the log's tail itself. */
  tailPageSize: number;
  /** Rows per FETCH while comparing. */
  fetchSize: number;
}

const defaults: PostgresRebuildSettings = { tailPageSize: 500, fetchSize: 1000 };

export const postgresRebuildable = (
  readModel: PostgresReadModel,
  events: EventStore,
  url: string,
  settings: Partial<PostgresRebuildSettings> = {},
): RebuildableReadModel => ({
  beginRebuild: (projections, options) => PostgresRebuild.begin(readModel, events, url, projections, options, { ...defaults, ...settings }),
});

/** Canonical checksum (../../projections/checksum.ts) of the live PostgreSQL read models of these projections. */
export const postgresReadModelChecksum = async (db: PostgresDatabase, projections: readonly Projection[]): Promise<ReadModelChecksum> =>
  db.transaction(async (client) => {
    await client.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    const sums = new Map<string, CollectionSum>();
    for (const projection of projections) {
      const comparison = new DocumentComparison({ checksums: true, differences: false, examples: 0 });
      const table = tableFor(projection.collection);
      const exists = await tableExists(client, table);
      const cursor = exists ? await openCursor(client, 'checksum_docs', table) : null;
      for (;;) {
        const doc = cursor ? await cursor.next() : undefined;
        if (!doc) break;
        comparison.step(undefined, doc);
      }
      await cursor?.close();
      const result = comparison.result();
      sums.set(projection.collection, { checksum: requireChecksums(result).rebuilt, documents: result.rebuilt });
    }
    return readModelChecksum(sums);
  });

const tableExists = async (client: Queryable, table: string): Promise<boolean> => {
  const { rows } = await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [table]);
  return onlyRow(rows, 'to_regclass').found !== null;
};

/** A server-side cursor over a table's documents in id order, fetched in batches. */
const openCursor = async (
  client: Queryable,
  name: string,
  table: string,
  fetchSize = 1000,
): Promise<{ next(): Promise<ComparedDocument | undefined>; close(): Promise<void> }> => {
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR SELECT id, workspace_id, doc::text AS doc FROM ${table} ORDER BY id`);
  let buffer: ComparedDocument[] = [];
  let at = 0;
  let done = false;
  return {
    async next() {
      if (at >= buffer.length) {
        if (done) return undefined;
        const { rows } = await client.query<{ id: string; workspace_id: string; doc: string }>(`FETCH ${fetchSize} FROM ${name}`);
        buffer = rows.map((r) => ({ id: r.id, workspaceId: r.workspace_id, json: r.doc }));
        at = 0;
        if (rows.length < fetchSize) done = true;
        if (buffer.length === 0) return undefined;
      }
      return buffer[at++];
    },
    async close() {
      await client.query(`CLOSE ${name}`);
    },
  };
};

class PostgresRebuild implements RebuildTarget {
  private lastPosition: bigint | null = null;
  private finished = false;

  static async begin(
    readModel: PostgresReadModel,
    events: EventStore,
    url: string,
    projections: readonly Projection[],
    options: BeginRebuildOptions,
    settings: PostgresRebuildSettings,
  ): Promise<PostgresRebuild> {
    checkRebuildProjections(projections);
    const lock = new pg.Client({ connectionString: url, application_name: `sessions-rebuild:${process.pid}` });
    lock.on('error', () => undefined);
    await lock.connect();
    const { rows } = await lock.query<{ taken: boolean }>('SELECT pg_try_advisory_lock($1) AS taken', [rebuildLockKey]);
    if (!onlyRow(rows, 'pg_try_advisory_lock').taken) {
      await lock.end();
      throw new RebuildInProgressError();
    }
    const slots = projections.map((projection) => ({
      projection,
      live: new CollectionTable(tableFor(projection.collection), projection),
      next: new CollectionTable(`${tableFor(projection.collection)}__next`, projection),
    }));
    const rebuild = new PostgresRebuild(readModel, events, slots, options, settings, lock);
    try {
      await readModel.ensureCollections(projections);
      await readModel.db.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [collectionsLockKey]);
        for (const slot of slots) {
          // A rebuild that died before its switch leaves its tables: start them afresh.
          await client.query(`DROP TABLE IF EXISTS ${slot.next.table}`);
          await createCollectionTable(client, slot.next.table, slot.projection.indexes);
        }
      });
    } catch (error) {
      await rebuild.discard().catch(() => undefined);
      throw error;
    }
    return rebuild;
  }

  private constructor(
    private readonly readModel: PostgresReadModel,
    private readonly events: EventStore,
    private readonly slots: readonly Slot[],
    private readonly options: BeginRebuildOptions,
    private readonly settings: PostgresRebuildSettings,
    private readonly lock: pg.Client,
  ) {}

  get position(): bigint | null {
    return this.lastPosition;
  }

  async applyPage(events: readonly StoredEvent[], through?: bigint): Promise<void> {
    this.ensureOpen();
    await this.readModel.db.transaction((client) => this.applyToNext(client, events, through));
  }

  async compare(options: CompareOptions): Promise<Comparison & { applied: number }> {
    this.ensureOpen();
    // A first catch-up outside the locked transaction keeps the projector's wait short.
    let applied = await this.catchUpNext(this.readModel.db);
    return this.readModel.db.transaction(async (client) => {
      const checkpoints = await this.lockCheckpoints(client);
      applied += await this.catchUpNext(client);
      await this.catchUpLive(client, checkpoints);
      const collections: CollectionComparison[] = [];
      for (const slot of this.slots) {
        const comparison = new DocumentComparison(options);
        const live = (await tableExists(client, slot.live.table))
          ? await openCursor(client, 'live_docs', slot.live.table, this.settings.fetchSize)
          : null;
        const next = await openCursor(client, 'next_docs', slot.next.table, this.settings.fetchSize);
        let current = await live?.next();
        let rebuilt = await next.next();
        while (current || rebuilt) {
          const advance = comparison.step(current, rebuilt);
          if (advance.current) current = await live?.next();
          if (advance.rebuilt) rebuilt = await next.next();
        }
        await live?.close();
        await next.close();
        collections.push({ projection: slot.projection.name, collection: slot.projection.collection, ...comparison.result() });
      }
      return { ...comparisonOf(this.lastPosition, collections, options), applied };
    });
  }

  async switchOver(): Promise<{ applied: number; position: bigint | null }> {
    this.ensureOpen();
    let applied = await this.catchUpNext(this.readModel.db);
    await this.readModel.db.transaction(async (client) => {
      await this.lockCheckpoints(client);
      applied += await this.catchUpNext(client);
      await client.query('SELECT pg_advisory_xact_lock($1)', [collectionsLockKey]);
      for (const slot of this.slots) {
        await client.query(`DROP TABLE IF EXISTS ${slot.live.table}`);
        await renameCollectionTable(client, slot.next.table, slot.live.table, slot.projection.indexes);
      }
      await client.query('UPDATE projection_checkpoints SET position = $2 WHERE name = ANY($1::text[])', [
        this.slots.map((s) => s.projection.name),
        this.lastPosition?.toString() ?? null,
      ]);
    });
    this.finished = true;
    await this.releaseLock();
    return { applied, position: this.lastPosition };
  }

  async discard(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      for (const slot of this.slots) await this.readModel.db.query(`DROP TABLE IF EXISTS ${slot.next.table}`);
    } finally {
      await this.releaseLock();
    }
  }

  // ---- internals ----

  private ensureOpen(): void {
    if (this.finished) throw new Error('this rebuild has already been switched over or discarded');
  }

  private async releaseLock(): Promise<void> {
    await this.lock.query('SELECT pg_advisory_unlock($1)', [rebuildLockKey]).catch(() => undefined);
    await this.lock.end().catch(() => undefined);
  }

  private async applyToNext(client: Queryable, events: readonly StoredEvent[], through?: bigint): Promise<void> {
    for (const slot of this.slots) {
      await this.readModel.applyProjection(client, slot.projection, events, this.lastPosition, slot.next);
    }
    this.lastPosition = advancedPosition(this.lastPosition, events, through) ?? this.lastPosition;
  }

  /** Creates the checkpoint rows if missing and locks them: the async projector waits until commit. */
  private async lockCheckpoints(client: Queryable): Promise<Map<string, bigint | null>> {
    const names = this.slots.map((s) => s.projection.name).sort();
    await client.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [names]);
    const { rows } = await client.query<{ name: string; position: string | null }>(
      'SELECT name, position::text AS position FROM projection_checkpoints WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE',
      [names],
    );
    return new Map(rows.map((r) => [r.name, r.position === null ? null : BigInt(r.position)]));
  }

  /** Applies the log after the rebuild's position up to the head to the new tables, a page per statement batch. */
  private async catchUpNext(client: Queryable): Promise<number> {
    const head = await this.events.headPosition();
    const tail = { after: this.lastPosition, until: head, pageSize: this.settings.tailPageSize };
    const applied = await feedTail(this.events, this.options, tail, (page, through) =>
      client === this.readModel.db ? this.applyPage(page, through) : this.applyToNext(client, page, through),
    );
    // With a type filter the last event read may lie before the head; every event up to the head
    // that matters has been read, so the new tables cover the log up to there.
    if (head !== null) this.lastPosition = advancedPosition(this.lastPosition, [], head) ?? this.lastPosition;
    return applied;
  }

  /** Inside the locked transaction: brings the live tables to the rebuild's position, as the projector would. */
  private async catchUpLive(client: Queryable, checkpoints: Map<string, bigint | null>): Promise<void> {
    const settings = { until: this.lastPosition, pageSize: this.settings.tailPageSize, checkpoints: checkpoints.values() };
    await catchUpLive(this.events, this.options, settings, async (prepared) => {
      for (const slot of this.slots) {
        const name = slot.projection.name;
        const reached = await this.readModel.applyProjection(client, slot.projection, prepared, checkpoints.get(name) ?? null, slot.live);
        if (reached !== null) {
          await client.query('UPDATE projection_checkpoints SET position = $2 WHERE name = $1', [name, reached.toString()]);
          checkpoints.set(name, reached);
        }
      }
    });
  }
}

/**
 * Blue/green rebuild of the SQLite read model (see RebuildableReadModel in ../readModel.ts).
 *
 * Each projection is built into `rm_<collection>__next` while the API keeps serving (and inline
 * projecting into) `rm_<collection>`. A page of events is applied in one IMMEDIATE transaction
 * (other connections wait on busy_timeout, none sees a half page). The switch is one IMMEDIATE
 * transaction: it holds SQLite's single write lock, so no append can slip in between the final
 * catch-up (the events appended while the rebuild ran) and the renames; the projections'
 * checkpoints move in the same transaction. Other connections' prepared statements re-prepare on
 * the schema change and read the new tables from their next query. The old tables are dropped
 * after the switch commits.
 *
 * A lock row (`rebuild_lock`) keeps two rebuilds from sharing the `__next` tables; a lock left by
 * a process that is gone (crash) is taken over, and its leftover tables are dropped.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { ProjectionRegistry } from '../../projections/ports.js';
import { evolveStored, type Projection } from '../../projections/projection.js';
import type { StoredEvent } from '../eventStore.js';
import type { BeginRebuildOptions, CompareOptions, Comparison, RebuildableReadModel, RebuildTarget } from '../readModel.js';
import { checkRebuildProjections } from '../rebuildTargets.js';
import {
  CollectionTable,
  createCollectionTable,
  dropCollectionTable,
  renameCollectionTable,
  tableFor,
  termsTableFor,
} from './collectionTable.js';
import {
  eventFromRow,
  selectedElsewhere,
  Speculation,
  touchWidth,
  type ComputedRange,
  type EventRow,
  type RangeReply,
  type RangeRequest,
} from './rebuildRanges.js';
import type { RebuildWorkerData } from './rebuildWorker.js';
import { compareTables, tableExists } from './sqliteCompare.js';

export class RebuildInProgressError extends Error {
  readonly code = 'rebuild-in-progress';
  constructor(message: string) {
    super(message);
    this.name = 'RebuildInProgressError';
  }
}

/** A document touched by the page being applied; written once at the end of the page. */
interface Pending {
  doc: Record<string, unknown> | null;
  /** The document's JSON (UTF-8) as a worker serialized it, in place of `doc`. */
  bytes?: Buffer;
  workspaceId: string;
  /** Position of the last event applied to it (-1: none yet). */
  position: number;
  existed: boolean;
}

interface Slot {
  projection: Projection;
  current: string;
  next: string;
  old: string;
  /** The new table, written through the same code as the live one (indexes, terms). */
  table: CollectionTable;
  insertBytes: Statement<[string, string, Buffer, number]>;
  pending: Map<string, Pending>;
}

const tailPageSize = 1000;
const snapshotAttempts = 5;

/** A small young generation keeps a worker's memory down at little cost: its garbage dies young. */
const workerLimits = { maxYoungGenerationSizeMb: 8 };

/**
 * Starts a rebuild worker. Compiled, it is ./rebuildWorker.js; run from TypeScript sources
 * (tsx), the worker thread registers tsx itself first, since loader hooks are per thread.
 */
const startWorker = (data: RebuildWorkerData): Worker => {
  if (import.meta.url.endsWith('.ts')) {
    const url = new URL('./rebuildWorker.ts', import.meta.url).href;
    return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); });`, {
      eval: true,
      workerData: data,
      resourceLimits: workerLimits,
    });
  }
  return new Worker(new URL('./rebuildWorker.js', import.meta.url), { workerData: data, resourceLimits: workerLimits });
};

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

export interface SqliteRebuildSettings {
  /**
   * The connection serves only the rebuild, so its page transactions may skip the fsync
   * (synchronous=NORMAL: a crash can lose the last pages of the scratch tables, never corrupt
   * them, and the rebuild then starts over); the switch itself always commits with
   * synchronous=FULL. Never set it on the API's connection: its appends would lose their
   * durability meanwhile.
   */
  ownConnection: boolean;
  /**
   * Worker threads that read, upcast, project and serialize ranges of the log while this thread
   * writes (0: none). Used for the bulk of a large log only, and only with `registry`: the
   * rebuild's `prepare` must be the standard one (upcast, skip what cannot be projected), and the
   * projections those of the registry, which the workers load by name.
   */
  workers: number;
  /**
   * The projections registry module (the composition root passes src/projections/registry.ts),
   * which the workers import again by its URL for the projections and the standard `prepare`, so
   * that this adapter never imports them. Without it, no worker is started.
   */
  registry?: ProjectionRegistry;
  /** Fewest events between the start and the head of the log for workers to be worth starting. */
  parallelThreshold: number;
}

/** The SQLite read model's rebuild capability (the database must also hold the event log). */
export const sqliteRebuildable = (db: Database.Database, settings: Partial<SqliteRebuildSettings> = {}): RebuildableReadModel => ({
  beginRebuild: async (projections, beginOptions) => {
    const complete: SqliteRebuildSettings = { ownConnection: false, workers: 0, parallelThreshold: 20_000, ...settings };
    const rebuild = SqliteRebuild.begin(db, projections, beginOptions, complete);
    if (complete.ownConnection) db.pragma('synchronous = NORMAL');
    return rebuild;
  },
});

export { sqliteReadModelChecksum } from './sqliteCompare.js';

class SqliteRebuild implements RebuildTarget {
  private lastPosition: number | null = null;
  private readonly slots: Slot[];
  private readonly byType = new Map<string, Slot[]>();
  private readonly readTail: Statement<unknown[], EventRow>;
  private readonly typeFilter: readonly string[];
  private readonly head: Statement<[], { position: number | null }>;
  private readonly readAt: Statement<[number], EventRow>;
  private readonly applyTransaction: Database.Transaction<(events: readonly StoredEvent[]) => void>;
  private finished = false;

  static begin(
    db: Database.Database,
    projections: readonly Projection[],
    options: BeginRebuildOptions,
    settings: SqliteRebuildSettings,
  ): SqliteRebuild {
    checkRebuildProjections(projections);
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS rebuild_lock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        started_at TEXT NOT NULL
      )`);
      const holder = db.prepare('SELECT pid, host, started_at FROM rebuild_lock WHERE id = 1').get() as
        { pid: number; host: string; started_at: string } | undefined;
      if (holder && (holder.host !== os.hostname() || processAlive(holder.pid))) {
        throw new RebuildInProgressError(
          `another rebuild is running (pid ${holder.pid} on ${holder.host}, since ${holder.started_at}); ` +
            'if that process is gone for good, delete the row in table rebuild_lock',
        );
      }
      db.prepare('INSERT OR REPLACE INTO rebuild_lock (id, pid, host, started_at) VALUES (1, ?, ?, ?)').run(
        process.pid,
        os.hostname(),
        new Date().toISOString(),
      );
      // Leftovers of a rebuild that did not finish (its process is gone).
      const leftovers = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'rm\\_%' ESCAPE '\\' OR name LIKE 'terms\\_rm\\_%' ESCAPE '\\') AND (name LIKE '%\\_\\_next' ESCAPE '\\' OR name LIKE '%\\_\\_old' ESCAPE '\\')",
        )
        .pluck()
        .all() as string[];
      for (const name of leftovers) db.exec(`DROP TABLE ${name}`);
      // The new tables get the indexes the projections declare now (they serve `where` selectors
      // while the rebuild runs, and queries after the switch).
      for (const projection of projections) createCollectionTable(db, `${tableFor(projection.collection)}__next`, projection.indexes);
    }).immediate();
    return new SqliteRebuild(db, projections, options, settings);
  }

  private constructor(
    private readonly db: Database.Database,
    projections: readonly Projection[],
    private readonly options: BeginRebuildOptions,
    private readonly settings: SqliteRebuildSettings,
  ) {
    this.slots = projections.map((projection) => {
      const current = tableFor(projection.collection);
      const next = `${current}__next`;
      return {
        projection,
        current,
        next,
        old: `${current}__old`,
        table: new CollectionTable(db, next, projection),
        // The bytes are the UTF-8 of the JSON text: stored as the very same TEXT value.
        insertBytes: db.prepare(`INSERT INTO ${next} (id, workspace_id, doc, position) VALUES (?, ?, CAST(? AS TEXT), ?)`),
        pending: new Map(),
      };
    });
    for (const slot of this.slots) {
      for (const type of slot.projection.handles) {
        const list = this.byType.get(type);
        if (list) list.push(slot);
        else this.byType.set(type, [slot]);
      }
    }
    this.typeFilter = options.types ? [...new Set(options.types)] : [];
    const onlyTypes = this.typeFilter.length > 0 ? ` AND type IN (${this.typeFilter.map(() => '?').join(', ')})` : '';
    this.readTail = db
      .prepare(
        `SELECT position, stream_id, revision, type, data, metadata FROM events WHERE position > ?${onlyTypes} ORDER BY position LIMIT ?`,
      )
      .raw(true) as unknown as Statement<unknown[], EventRow>;
    this.head = db.prepare('SELECT MAX(position) AS position FROM events');
    this.readAt = db
      .prepare('SELECT position, stream_id, revision, type, data, metadata FROM events WHERE position = ?')
      .raw(true) as unknown as Statement<[number], EventRow>;
    this.applyTransaction = db.transaction((events: readonly StoredEvent[]) => {
      this.applyEvents(events);
    });
  }

  get position(): bigint | null {
    return this.lastPosition === null ? null : BigInt(this.lastPosition);
  }

  async applyPage(events: readonly StoredEvent[], through?: bigint): Promise<void> {
    this.ensureOpen();
    if (events.length > 0) this.applyTransaction.immediate(events);
    if (through !== undefined && (this.lastPosition === null || Number(through) > this.lastPosition)) this.lastPosition = Number(through);
  }

  async catchUp(options: { pageSize: number; onPage?: (applied: number, position: bigint | null) => void }): Promise<number> {
    this.ensureOpen();
    let applied = 0;
    const head = this.headPosition();
    const workers = this.canUseWorkers() ? this.settings.workers : 0;
    if (workers > 0 && head !== null && head - (this.lastPosition ?? 0) >= this.settings.parallelThreshold) {
      applied = await this.buildInParallel(head, workers, options.pageSize, options.onPage);
    }
    // The rest: events appended meanwhile, and everything when no worker runs.
    const base = applied;
    const onPage = options.onPage;
    return (
      base +
      (await this.catchUpInPages(
        options.pageSize,
        onPage &&
          ((n, position) => {
            onPage(base + n, position);
          }),
      ))
    );
  }

  async compare(options: CompareOptions): Promise<Comparison & { applied: number }> {
    this.ensureOpen();
    let applied = 0;
    // Catch up in ordinary page transactions, then compare inside one read snapshot in which the
    // new tables have reached the head; under a steady stream of appends, fall back to holding
    // the write lock for the final catch-up and the comparison.
    for (let attempt = 0; attempt < snapshotAttempts; attempt += 1) {
      applied += await this.catchUpInPages(tailPageSize);
      const result = this.db.transaction(() => (this.headPosition() === this.lastPosition ? this.compareNow(options) : null))();
      if (result) return { ...result, applied };
    }
    const result = this.db
      .transaction(() => {
        const tail = this.catchUpInTransaction();
        return { ...this.compareNow(options), applied: tail };
      })
      .immediate();
    return { ...result, applied: applied + result.applied };
  }

  async switchOver(): Promise<{ applied: number; position: bigint | null }> {
    this.ensureOpen();
    let applied = await this.catchUpInPages(tailPageSize);
    const setCheckpoint = this.db.prepare(
      'INSERT INTO projection_checkpoints (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position',
    );
    const clearCheckpoint = this.db.prepare('DELETE FROM projection_checkpoints WHERE name = ?');
    const relaxed = this.settings.ownConnection;
    const durability = relaxed ? this.db.pragma('synchronous', { simple: true }) : undefined;
    // The switch is what makes the new tables count: it commits with full durability, which also
    // syncs every page written before it.
    if (relaxed) this.db.pragma('synchronous = FULL');
    try {
      applied += this.db
        .transaction(() => {
          const tail = this.catchUpInTransaction();
          for (const slot of this.slots) {
            if (tableExists(this.db, slot.current)) renameCollectionTable(this.db, slot.current, slot.old);
            // A live terms table without a main table cannot exist; one of an old shape must not linger.
            else this.db.exec(`DROP TABLE IF EXISTS ${termsTableFor(slot.current)}`);
            renameCollectionTable(this.db, slot.next, slot.current);
            if (this.lastPosition === null) clearCheckpoint.run(slot.projection.name);
            else setCheckpoint.run(slot.projection.name, this.lastPosition);
          }
          return tail;
        })
        .immediate();
    } finally {
      if (durability !== undefined) this.db.pragma(`synchronous = ${Number(durability)}`);
    }
    this.finished = true;
    this.db
      .transaction(() => {
        for (const slot of this.slots) dropCollectionTable(this.db, slot.old);
        this.releaseLock();
      })
      .immediate();
    return { applied, position: this.position };
  }

  async discard(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.db
      .transaction(() => {
        for (const slot of this.slots) dropCollectionTable(this.db, slot.next);
        this.releaseLock();
      })
      .immediate();
  }

  // ---- internals ----

  private ensureOpen(): void {
    if (this.finished) throw new Error('this rebuild has already been switched over or discarded');
  }

  private releaseLock(): void {
    this.db.prepare('DELETE FROM rebuild_lock WHERE id = 1 AND pid = ?').run(process.pid);
  }

  private headPosition(): number | null {
    return this.head.get()?.position ?? null;
  }

  /** Applies one event to the documents of the page being built (read once, written at flush). */
  private applyEvent(event: StoredEvent): void {
    const position = Number(event.position);
    const slots = this.byType.get(event.type);
    if (slots !== undefined) {
      for (const slot of slots) this.applyToSlot(slot, event);
    }
    this.lastPosition = position;
  }

  /** Applies one event to the documents of one projection it touches, in the page being built. */
  private applyToSlot(slot: Slot, event: StoredEvent): void {
    const selector = slot.projection.documents(event);
    const { workspaceId } = selector;
    let ids: readonly string[];
    if ('ids' in selector) {
      ids = selector.ids;
    } else {
      // The table must show this page's changes before it is searched.
      this.flush();
      ids = slot.table.selectWhere(workspaceId, selector.where.field, selector.where.equals).map((row) => row.id);
    }
    for (const id of ids) {
      let entry = slot.pending.get(id);
      if (entry === undefined) {
        const row = slot.table.find(id);
        entry = row
          ? { doc: JSON.parse(row.doc) as Record<string, unknown>, workspaceId, position: row.position, existed: true }
          : { doc: null, workspaceId, position: -1, existed: false };
        if ('where' in selector && !row) continue;
        slot.pending.set(id, entry);
      }
      const current = entry.bytes ? (JSON.parse(entry.bytes.toString('utf8')) as Record<string, unknown>) : entry.doc;
      const next = evolveStored(
        slot.projection,
        id,
        entry.position < 0 && current === null ? null : { document: current as never, position: BigInt(entry.position) },
        event,
      );
      if (next === null) continue;
      delete entry.bytes;
      entry.doc = next.document;
      entry.workspaceId = workspaceId;
      entry.position = Number(event.position);
    }
  }

  /** Writes the page's documents, each once. */
  private flush(): void {
    for (const slot of this.slots) {
      for (const [id, entry] of slot.pending) {
        if (entry.bytes !== undefined) {
          if (slot.table.hasTerms) slot.table.write(id, entry.workspaceId, entry.bytes.toString('utf8'), entry.position, 'insert');
          else slot.insertBytes.run(id, entry.workspaceId, entry.bytes, entry.position);
        } else if (entry.doc === null) {
          if (entry.existed) slot.table.remove(id);
        } else {
          slot.table.write(
            id,
            entry.workspaceId,
            JSON.stringify(entry.doc),
            entry.position,
            entry.existed ? 'update' : 'insert',
            entry.doc as never,
          );
        }
        // Written: a later flush in the same page must update, not insert, it.
        if (entry.doc !== null || entry.bytes !== undefined) entry.existed = true;
        else entry.existed = false;
      }
      slot.pending.clear();
    }
  }

  private applyEvents(events: readonly StoredEvent[]): void {
    const before = this.lastPosition;
    try {
      for (const event of events) this.applyEvent(event);
      this.flush();
    } catch (error) {
      for (const slot of this.slots) slot.pending.clear();
      this.lastPosition = before;
      throw error;
    }
  }

  /**
   * Reads the next page of the log after what has been applied and applies it, inside the
   * caller's transaction. Each event is read, upcast, applied and dropped before the next, so a
   * page keeps only its documents alive. Events `prepare` skips count as covered.
   */
  private catchUpOnePage(pageSize: number): { applied: number; read: number } {
    const before = this.lastPosition;
    const rows = this.readTail.all(before ?? -1, ...this.typeFilter, pageSize);
    let applied = 0;
    try {
      for (const row of rows) {
        const event = this.options.prepare(eventFromRow(row));
        if (event !== null) {
          this.applyEvent(event);
          applied += 1;
        } else {
          this.lastPosition = row[0];
        }
      }
      this.flush();
      if (rows.length < pageSize) {
        // The end of the log as this transaction sees it: everything up to the head is covered,
        // including events of types the type filter left unread.
        const head = this.headPosition();
        if (head !== null && (this.lastPosition === null || head > this.lastPosition)) this.lastPosition = head;
      }
    } catch (error) {
      for (const slot of this.slots) slot.pending.clear();
      this.lastPosition = before;
      throw error;
    }
    return { applied, read: rows.length };
  }

  /** Applies the rest of the log, each page in its own transaction, letting other work run in between. */
  private async catchUpInPages(pageSize: number, onPage?: (applied: number, position: bigint | null) => void): Promise<number> {
    const applyPage = this.db.transaction(() => this.catchUpOnePage(pageSize));
    let applied = 0;
    for (;;) {
      const page = applyPage.immediate();
      applied += page.applied;
      onPage?.(applied, this.position);
      if (page.read < pageSize) return applied;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** Applies the rest of the log inside the caller's transaction. */
  private catchUpInTransaction(): number {
    let applied = 0;
    for (;;) {
      const page = this.catchUpOnePage(tailPageSize);
      applied += page.applied;
      if (page.read < tailPageSize) return applied;
    }
  }

  /** Workers apply the registry's projections and rule, so this rebuild's must be those. */
  private canUseWorkers(): boolean {
    const { workers, registry } = this.settings;
    return (
      workers > 0 &&
      registry !== undefined &&
      !this.db.memory &&
      this.options.prepareIsStandard === true &&
      this.slots.every((slot) => registry.projections.includes(slot.projection))
    );
  }

  /**
   * Builds up to `head` in ranges of positions: worker threads compute ranges (see
   * ./rebuildRanges.ts) on their own connections; this thread applies them in order, one
   * transaction each. (Computing ranges here too while waiting was measured: no faster on a
   * loaded 2-core machine, and about 100 MB more memory.)
   */
  private async buildInParallel(
    head: number,
    count: number,
    pageSize: number,
    onPage?: (applied: number, position: bigint | null) => void,
  ): Promise<number> {
    const setup = {
      projections: this.slots.map((slot) => slot.projection.name),
      types: this.options.types ? [...new Set(this.options.types)] : [],
      timeZones: { ...(this.options.timeZones ?? {}) },
    };
    const registry = this.settings.registry?.url;
    if (registry === undefined) throw new Error('a parallel rebuild needs the registry module its workers load');
    const workers = Array.from({ length: count }, () => startWorker({ path: this.db.name, registry, ...setup }));
    const results = new Map<number, RangeReply>();
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    let nextLow = this.lastPosition ?? 0;
    let nextSeq = 0;
    let seq = 0;
    // At most two ranges per worker between "asked for" and "applied": one being computed, one
    // waiting, so that memory stays bounded even when one worker runs ahead of another.
    const window = 2 * workers.length;
    // Each worker with the number of its ranges asked for and not answered yet.
    const lanes = workers.map((worker) => ({ worker, inFlight: 0 }));
    const refill = (): void => {
      for (const lane of lanes) {
        while (lane.inFlight < 2 && nextLow < head && nextSeq < seq + window) {
          const request: RangeRequest = { seq: nextSeq, lo: nextLow, hi: Math.min(head, nextLow + pageSize) };
          nextSeq += 1;
          nextLow = request.hi;
          lane.inFlight += 1;
          lane.worker.postMessage(request);
        }
      }
    };
    for (const lane of lanes) {
      const worker = lane.worker;
      worker.on('message', (reply: RangeReply) => {
        results.set(reply.seq, reply);
        lane.inFlight -= 1;
        refill();
        wake?.();
      });
      worker.on('error', (error) => {
        failure ??= error;
        wake?.();
      });
    }
    refill();
    const applyRange = this.db.transaction((range: ComputedRange) => this.applyComputed(range));
    let applied = 0;
    try {
      for (; this.lastPosition === null || this.lastPosition < head; seq += 1) {
        let result = results.get(seq);
        while (result === undefined) {
          if (failure) throw failure;
          await new Promise<void>((resolve) => (wake = resolve));
          result = results.get(seq);
        }
        results.delete(seq);
        if ('error' in result) throw new Error(`rebuild worker failed: ${result.error}`);
        applied += applyRange.immediate(result);
        onPage?.(applied, this.position);
        refill();
      }
    } finally {
      await Promise.all(workers.map((worker) => worker.terminate()));
    }
    return applied;
  }

  /** Applies a worker's range: its speculative documents where they hold, the events themselves where not. */
  private applyComputed(reply: ComputedRange): number {
    const before = this.lastPosition;
    const buffer = Buffer.from(reply.buffer);
    const touches = reply.touches;
    let cached: { position: number; event: StoredEvent } | undefined;
    const eventAt = (position: number): StoredEvent => {
      if (cached?.position !== position) {
        const event = this.options.prepare(this.recordedAt(position));
        if (event === null) throw new Error(`event at ${position} cannot be projected here but could in a worker`);
        cached = { position, event };
      }
      return cached.event;
    };
    try {
      for (let i = 0; i < touches.length; i += touchWidth) {
        const position = touches[i] as number;
        const slotIndex = touches[i + 1] as number;
        const slot = this.slots[slotIndex];
        if (slot === undefined) throw new Error(`a rebuild worker named slot ${slotIndex} of ${this.slots.length}`);
        const id = touches[i + 2] as string;
        const workspaceId = touches[i + 3] as string;
        const speculation = touches[i + 4] as number;
        if (id === selectedElsewhere) {
          this.applyToSlot(slot, eventAt(position));
          continue;
        }
        let entry = slot.pending.get(id);
        if (entry === undefined) {
          const row = slot.table.find(id);
          if (row === undefined && speculation !== Speculation.failed) {
            // A new document: exactly what the worker computed.
            const offset = touches[i + 5] as number;
            const bytes = speculation === Speculation.document ? buffer.subarray(offset, offset + (touches[i + 6] as number)) : undefined;
            slot.pending.set(id, { doc: null, ...(bytes ? { bytes } : {}), workspaceId, position, existed: false });
            continue;
          }
          entry = row
            ? { doc: JSON.parse(row.doc) as Record<string, unknown>, workspaceId, position: row.position, existed: true }
            : { doc: null, workspaceId, position: -1, existed: false };
          slot.pending.set(id, entry);
        }
        const current = entry.bytes ? (JSON.parse(entry.bytes.toString('utf8')) as Record<string, unknown>) : entry.doc;
        const next = evolveStored(
          slot.projection,
          id,
          entry.position < 0 && current === null ? null : { document: current as never, position: BigInt(entry.position) },
          eventAt(position),
        );
        if (next === null) continue;
        delete entry.bytes;
        entry.doc = next.document;
        entry.workspaceId = workspaceId;
        entry.position = position;
      }
      // Report what the worker could not project (rare), through the rebuild's own prepare.
      for (const position of reply.skipped) this.options.prepare(this.recordedAt(position));
      this.flush();
      this.lastPosition = reply.hi;
    } catch (error) {
      for (const slot of this.slots) slot.pending.clear();
      this.lastPosition = before;
      throw error;
    }
    return reply.applied;
  }

  /** The event recorded at a position a worker read. */
  private recordedAt(position: number): StoredEvent {
    const row = this.readAt.get(position);
    if (row === undefined) throw new Error(`no event at position ${position}, which a rebuild worker read`);
    return eventFromRow(row);
  }

  /** Compares every slot's current and new table; call inside a transaction (one snapshot). */
  private compareNow(options: CompareOptions): Comparison {
    return compareTables(
      this.db,
      this.slots.map((slot) => ({ projection: slot.projection, current: slot.current, rebuilt: slot.next })),
      this.position,
      options,
    );
  }
}

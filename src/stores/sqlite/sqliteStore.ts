/**
 * Embedded store: one SQLite file holds the event log and the read models.
 *
 * Durability: WAL with synchronous=FULL, so a resolved append is on disk.
 * Group commit: appends issued during one turn of the event loop are written in one transaction
 * (one fsync); each append runs in its own savepoint, so a failed expected-revision check rejects
 * only that append. Every caller is answered after the transaction holding its events commits.
 * Inline projections: when configured, projections are applied inside the append's savepoint, so
 * the read model and its checkpoints commit atomically with the events.
 */
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { EventMetadata } from '../../events/envelope.js';
import { evolveStored, handlesEvent, type Projection, type StoredDocument } from '../../projections/projection.js';
import {
  ConcurrencyError,
  malformedAppend,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type StoredEvent,
  type StreamWrite,
} from '../eventStore.js';
import { CollectionOwners, type Document, type Query, type QueryPage, type ReadModelStore } from '../readModel.js';
import { CollectionTable, tableFor } from './collectionTable.js';

export { createCollectionTable, tableFor } from './collectionTable.js';

export interface SqliteStoreOptions {
  /** Path of the database file (created when missing). */
  path: string;
  /** Projections applied in the same transaction as every append. */
  inlineProjections?: readonly Projection[];
  /**
   * Projections whose collections this read model serves (their indexes, for queries); defaults
   * to the inline ones. Projections passed to `apply` are added.
   */
  projections?: readonly Projection[];
  /** Events per page for readAll. */
  pageSize?: number;
  /**
   * Batch appends issued in the same event-loop turn into one transaction (default true).
   * False commits every append on its own: the baseline the benchmark compares against.
   */
  groupCommit?: boolean;
  /** Bound of the parsed-document cache in bytes (default 64 MiB); 0 turns the cache off. */
  documentCacheBytes?: number;
  /** Observer of each append transaction: how many appends it held and how long it took (fsync included). */
  onCommit?: (batchSize: number, seconds: number) => void;
}

interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
}

/** One caller's append: one stream, or several atomically. */
interface PendingAppend {
  writes: readonly StreamWrite[];
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

/** What became of one caller's append in a group commit (its savepoint held or was rolled back). */
type AppendOutcome = { pending: PendingAppend } & ({ ok: AppendResult[] } | { error: unknown });

/** Default bound of the document cache, in bytes of stored JSON (a parsed document takes a small multiple of that). */
export const defaultDocumentCacheBytes = 64 * 1024 * 1024;

/** What a cached document is counted as: UTF-16 code units of its stored JSON, cheap to know and close to what its strings hold. */
const cachedBytes = (json: string): number => json.length * 2;

const cacheKey = (collection: string, id: string): string => `${collection}\u0000${id}`;

/** Cached documents are shared between callers: freezing them turns an accidental mutation into an error. */
const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
};

const toStored = (row: EventRow): StoredEvent => ({
  streamId: row.stream_id,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as EventMetadata,
});

/**
 * The projections' checkpoints during one write transaction: each read once, advanced by the
 * appends that were kept, and written once at its end, rather than read and written for every
 * append of a group commit. Positions only grow, so the last kept append's is the checkpoint.
 */
class CheckpointProgress {
  private readonly read = new Map<string, number | undefined>();
  private readonly advanced = new Map<string, number>();

  constructor(private readonly getCheckpoint: Statement<[string], { position: number }>) {}

  /** The projection's checkpoint as this transaction has it now. */
  position(projection: string): number | undefined {
    const advanced = this.advanced.get(projection);
    if (advanced !== undefined) return advanced;
    if (!this.read.has(projection)) this.read.set(projection, this.getCheckpoint.get(projection)?.position);
    return this.read.get(projection);
  }

  merge(applied: ReadonlyMap<string, number>): void {
    for (const [projection, position] of applied) this.advanced.set(projection, position);
  }

  save(setCheckpoint: Statement<[string, number]>): void {
    for (const [projection, position] of this.advanced) setCheckpoint.run(projection, position);
  }
}

export class SqliteStore implements EventStore, ReadModelStore {
  readonly db: Database.Database;
  private readonly inlineProjections: readonly Projection[];
  private readonly pageSize: number;
  private readonly groupCommit: boolean;
  private readonly onCommit: ((batchSize: number, seconds: number) => void) | undefined;
  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly collections = new Map<string, CollectionTable>();
  /** Tables read by collection name before (or without) a projection owning them: they change no index. */
  private readonly bareTables = new Map<string, CollectionTable>();
  /** The projection that owns each collection: its indexes serve queries and `where` selectors. */
  private readonly owners = new CollectionOwners();
  private readonly readAllStatements = new Map<string, Statement<unknown[], EventRow>>();
  /**
   * Read-model documents by collection and id, as parsed (and frozen) from their rows. Writes on
   * this connection evict what they change; commits by other connections (another API process, a
   * rebuild's switch) and schema changes (a rebuild's table swap) clear it, checked once per turn
   * of the event loop through PRAGMA data_version and schema_version.
   */
  private readonly documents = new Map<string, { workspaceId: string; document: Document; bytes: number }>();
  /** Bounded in bytes, not entries: 50,000 one-megabyte documents would be 50 GB. */
  private readonly documentCacheBytes: number;
  private documentBytes = 0;
  private documentsVersion = '';
  private documentsCheckedThisTurn = false;

  private readonly stmt: {
    streamRevision: Statement<[string], { revision: number }>;
    insertEvent: Statement<[string, number, string, string, number, string | null, string, string]>;
    eventById: Statement<[string], { stream_id: string; revision: number; position: number }>;
    readStream: Statement<[string], EventRow>;
    head: Statement<[], { position: number | null }>;
    getCheckpoint: Statement<[string], { position: number }>;
    setCheckpoint: Statement<[string, number]>;
    journalInMemory: Statement<[]>;
    journalAsBefore: Statement<[]>;
  };

  private readonly appendOne: (
    pending: PendingAppend,
    progress: CheckpointProgress,
  ) => { results: AppendResult[]; applied: ReadonlyMap<string, number> };
  private readonly appendBatch: (batch: PendingAppend[]) => AppendOutcome[];
  private readonly applyTransaction: (projections: readonly Projection[], events: readonly StoredEvent[]) => void;

  constructor(options: SqliteStoreOptions) {
    this.inlineProjections = options.inlineProjections ?? [];
    this.pageSize = options.pageSize ?? 1000;
    this.groupCommit = options.groupCommit ?? true;
    this.documentCacheBytes = options.documentCacheBytes ?? defaultDocumentCacheBytes;
    this.onCommit = options.onCommit;
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // The default page cache (2 MiB) holds almost none of a large log's indexes; 64 MiB keeps the
    // hot index pages of millions of events in memory, so a create costs the same on a full store.
    this.db.pragma('cache_size = -65536');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS events (
        position INTEGER PRIMARY KEY AUTOINCREMENT,
        stream_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL,
        schema_version INTEGER NOT NULL,
        workspace_id TEXT,
        data TEXT NOT NULL,
        metadata TEXT NOT NULL,
        UNIQUE (stream_id, revision)
      );
      CREATE INDEX IF NOT EXISTS events_workspace ON events (workspace_id, position);
      CREATE TABLE IF NOT EXISTS projection_checkpoints (
        name TEXT PRIMARY KEY,
        position INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
    this.stmt = {
      streamRevision: this.db.prepare('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1'),
      insertEvent: this.db.prepare(
        `INSERT INTO events (stream_id, revision, event_id, type, schema_version, workspace_id, data, metadata)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      eventById: this.db.prepare('SELECT stream_id, revision, position FROM events WHERE event_id = ?'),
      readStream: this.db.prepare(
        'SELECT position, stream_id, revision, type, data, metadata FROM events WHERE stream_id = ? ORDER BY revision',
      ),
      head: this.db.prepare('SELECT MAX(position) AS position FROM events'),
      getCheckpoint: this.db.prepare('SELECT position FROM projection_checkpoints WHERE name = ?'),
      setCheckpoint: this.db.prepare(
        `INSERT INTO projection_checkpoints (name, position) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
      ),
      journalInMemory: this.db.prepare('PRAGMA temp_store = MEMORY'),
      journalAsBefore: this.db.prepare(`PRAGMA temp_store = ${String(Number(this.db.pragma('temp_store', { simple: true })))}`),
    };
    for (const projection of [...(options.projections ?? []), ...this.inlineProjections]) this.owners.register(projection);

    this.appendOne = this.db.transaction((pending: PendingAppend, progress: CheckpointProgress) =>
      this.appendInTransaction(pending, progress),
    );
    this.appendBatch = this.db.transaction((batch: PendingAppend[]) => {
      const progress = new CheckpointProgress(this.stmt.getCheckpoint);
      const outcomes = batch.map((pending): AppendOutcome => {
        try {
          const { results, applied } = this.appendOne(pending, progress);
          // The append's savepoint is released: what it applied is the batch's now.
          progress.merge(applied);
          return { pending, ok: results };
        } catch (error) {
          return { pending, error };
        }
      });
      progress.save(this.stmt.setCheckpoint);
      return outcomes;
    });
    this.applyTransaction = this.db.transaction((projections: readonly Projection[], events: readonly StoredEvent[]) => {
      const progress = new CheckpointProgress(this.stmt.getCheckpoint);
      progress.merge(this.applySync(projections, events, progress));
      progress.save(this.stmt.setCheckpoint);
    });
  }

  // ---- EventStore ----

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, events, expected }]);
    if (!result) throw new Error(`the append to ${streamId} answered no result`);
    return result;
  }

  appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    if (this.closed) return Promise.reject(new Error('store is closed'));
    const malformed = malformedAppend(writes);
    if (malformed) return Promise.reject(malformed);
    return new Promise<AppendResult[]>((resolve, reject) => {
      this.queue.push({ writes, resolve, reject });
      if (!this.groupCommit) {
        this.flush();
      } else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flush();
        });
      }
    });
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return this.stmt.readStream.all(streamId).map(toStored);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const pageSize = options.pageSize ?? this.pageSize;
    const statement = this.readAllStatement(options);
    let after = options.after ?? -1n;
    for (;;) {
      const params: unknown[] = [Number(after)];
      if (options.workspaceId !== undefined) params.push(options.workspaceId);
      if (options.types?.length) params.push(...options.types);
      params.push(pageSize);
      const rows = statement.all(...params);
      for (const row of rows) yield toStored(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < pageSize) return;
      after = BigInt(last.position);
    }
  }

  async headPosition(): Promise<bigint | null> {
    const row = this.stmt.head.get();
    return row?.position == null ? null : BigInt(row.position);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  // ---- ReadModelStore ----

  async find(collection: string, workspaceId: string, id: string): Promise<Document | null> {
    return this.cachedFind(collection, workspaceId, id);
  }

  async findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]> {
    const found: Document[] = [];
    for (const id of new Set(ids)) {
      const document = this.cachedFind(collection, workspaceId, id);
      if (document) found.push(document);
    }
    return found;
  }

  async query(collection: string, workspaceId: string, query: Query): Promise<QueryPage> {
    const owner = this.owners.ofQueried(collection);
    this.checkDocumentCache();
    const { rows, next } = this.tableOf(owner).query(workspaceId, query);
    const documents = rows.map((row) => {
      const key = cacheKey(collection, row.id);
      const cached = this.documents.get(key);
      if (cached) return cached.document;
      const document = deepFreeze(JSON.parse(row.doc) as Document);
      this.remember(key, workspaceId, document, cachedBytes(row.doc));
      return document;
    });
    return { documents, next };
  }

  async apply(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return;
    this.applyTransaction(projections, events);
  }

  async checkpoint(projection: string): Promise<bigint | null> {
    const row = this.stmt.getCheckpoint.get(projection);
    return row ? BigInt(row.position) : null;
  }

  // ---- internals ----

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    let outcomes: AppendOutcome[];
    const started = this.onCommit ? process.hrtime.bigint() : 0n;
    try {
      outcomes = this.withJournalInMemory(() => this.appendBatch(batch));
      this.onCommit?.(batch.length, Number(process.hrtime.bigint() - started) / 1e9);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const outcome of outcomes) {
      if ('ok' in outcome) outcome.pending.resolve(outcome.ok);
      else outcome.pending.reject(outcome.error);
    }
  }

  /**
   * Runs an append transaction with SQLite's savepoint journal in memory. Each append's savepoint
   * journals the pages it changes, so that a failed append can be taken back alone; past 64 KiB
   * SQLite spills that journal to a temporary file, a write() per page, and a group commit passes
   * that within its first appends: the spilling was almost a third of an append's CPU. Only for
   * this transaction: other work on the connection (a rebuild's index builds, large sorts) still
   * spills to disk. The journal serves only a rollback to a savepoint, never recovery after a
   * crash (the WAL does), so durability is unchanged.
   */
  private withJournalInMemory<T>(transaction: () => T): T {
    // The setting is taken when a transaction begins; inside one (a caller's own) it would not count.
    if (this.db.inTransaction) return transaction();
    this.stmt.journalInMemory.run();
    try {
      return transaction();
    } finally {
      this.stmt.journalAsBefore.run();
    }
  }

  /**
   * One caller's streams, in the caller's savepoint: all are written or none. Answers, besides the
   * results, how far it took each inline projection: the batch records that once the savepoint is
   * kept (a failed one records none of it).
   */
  private appendInTransaction(
    { writes }: PendingAppend,
    progress: CheckpointProgress,
  ): { results: AppendResult[]; applied: ReadonlyMap<string, number> } {
    const recorded: StoredEvent[] = [];
    const results = writes.map((write) => this.appendStream(write, recorded));
    const applied =
      this.inlineProjections.length > 0 && recorded.length > 0 ? this.applySync(this.inlineProjections, recorded, progress) : new Map();
    return { results, applied };
  }

  private appendStream({ streamId, events, expected }: StreamWrite, recorded: StoredEvent[]): AppendResult {
    const current = this.stmt.streamRevision.get(streamId)?.revision;
    const matches =
      expected === 'any' ||
      (expected === 'no_stream' && current === undefined) ||
      (expected === 'stream_exists' && current !== undefined) ||
      (typeof expected === 'bigint' && current !== undefined && BigInt(current) === expected);
    if (!matches) {
      const earlier = this.alreadyAppended(streamId, events);
      if (earlier) return earlier;
      throw new ConcurrencyError(streamId, expected, current === undefined ? 'no_stream' : BigInt(current));
    }
    // A stream that does not exist yet holds none of these events (the check would find none).
    const duplicate = current === undefined ? null : this.alreadyAppended(streamId, events);
    if (duplicate) return duplicate;

    let revision = current ?? -1;
    let last: StoredEvent | undefined;
    for (const event of events) {
      revision += 1;
      const info = this.stmt.insertEvent.run(
        streamId,
        revision,
        event.metadata.eventId,
        event.type,
        event.metadata.schemaVersion,
        event.metadata.workspaceId,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
      );
      last = {
        streamId,
        revision: BigInt(revision),
        position: BigInt(info.lastInsertRowid),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      };
      recorded.push(last);
    }
    if (!last) throw new Error(`an append to ${streamId} has no events`);
    return { nextRevision: last.revision, position: last.position };
  }

  /**
   * A retried append whose events (by event id) are already in this stream succeeds with the
   * original result instead of writing them twice, as KurrentDB does.
   */
  private alreadyAppended(streamId: string, events: EventToAppend[]): AppendResult | null {
    const rows = events.map((event) => this.stmt.eventById.get(event.metadata.eventId));
    const last = rows[rows.length - 1];
    if (last !== undefined && rows.every((row) => row?.stream_id === streamId)) {
      return { nextRevision: BigInt(last.revision), position: BigInt(last.position) };
    }
    return null;
  }

  /**
   * Applies the events to the projections' documents; answers the position each projection got
   * to, for the caller to record as its checkpoint once these writes are kept.
   */
  private applySync(projections: readonly Projection[], events: readonly StoredEvent[], progress: CheckpointProgress): Map<string, number> {
    const applied = new Map<string, number>();
    for (const projection of projections) {
      const table = this.tableOf(projection);
      const checkpoint = progress.position(projection.name);
      let last: number | undefined;
      for (const event of events) {
        const position = Number(event.position);
        if (checkpoint !== undefined && position <= checkpoint) continue;
        last = position;
        if (!handlesEvent(projection, event)) continue;
        const selector = projection.documents(event);
        // Each document as stored: its contents, the position it is at and the workspace it is filed under.
        const touched: { id: string; row: { document: Document; position: bigint; workspaceId: string } | null }[] =
          'ids' in selector
            ? // An id named twice is still one document, evolved once by this event.
              [...new Set(selector.ids)].map((id) => {
                const row = table.find(id);
                return {
                  id,
                  row: row
                    ? { document: JSON.parse(row.doc) as Document, position: BigInt(row.position), workspaceId: row.workspace_id }
                    : null,
                };
              })
            : table.selectWhere(selector.workspaceId, selector.where.field, selector.where.equals).map((row) => ({
                id: row.id,
                row: { document: JSON.parse(row.doc) as Document, position: BigInt(row.position), workspaceId: selector.workspaceId },
              }));
        for (const { id, row } of touched) {
          const stored: StoredDocument | null = row && { document: row.document, position: row.position };
          const next = evolveStored(projection, id, stored, event);
          if (next === null) continue;
          if (next.document === null) {
            if (row !== null) table.remove(id);
          } else {
            // An update passes the document it replaces: its terms are rewritten only when they change.
            const json = JSON.stringify(next.document);
            if (row === null) table.write(id, selector.workspaceId, json, position, 'insert', next.document);
            else table.write(id, selector.workspaceId, json, position, 'update', next.document, row);
          }
          if (this.documents.size > 0) this.forgetDocument(cacheKey(projection.collection, id));
        }
      }
      if (last !== undefined) applied.set(projection.name, last);
    }
    return applied;
  }

  /**
   * Forgets every cached document. Needed only after this connection changed read-model tables
   * other than through projections (an in-process rebuild's table swap, a test's direct SQL);
   * other connections' commits are noticed by themselves.
   */
  invalidateDocumentCache(): void {
    this.documents.clear();
    this.documentBytes = 0;
  }

  /** What the document cache holds now (for tests and diagnostics). */
  documentCacheUsage(): { documents: number; bytes: number; limitBytes: number } {
    return { documents: this.documents.size, bytes: this.documentBytes, limitBytes: this.documentCacheBytes };
  }

  private forgetDocument(key: string): void {
    const entry = this.documents.get(key);
    if (!entry) return;
    this.documents.delete(key);
    this.documentBytes -= entry.bytes;
  }

  /** Size of the document cache, for metrics. */
  documentCacheStats(): { entries: number; bytes: number } {
    let bytes = 0;
    for (const entry of this.documents.values()) bytes += entry.bytes;
    return { entries: this.documents.size, bytes };
  }

  private cachedFind(collection: string, workspaceId: string, id: string): Document | null {
    this.checkDocumentCache();
    const key = cacheKey(collection, id);
    let entry = this.documents.get(key);
    if (!entry) {
      const row = this.tableNamed(collection).find(id);
      if (!row) return null;
      entry = this.remember(key, row.workspace_id, deepFreeze(JSON.parse(row.doc) as Document), cachedBytes(row.doc));
    }
    return entry.workspaceId === workspaceId ? entry.document : null;
  }

  private remember(
    key: string,
    workspaceId: string,
    document: Document,
    bytes: number,
  ): { workspaceId: string; document: Document; bytes: number } {
    const entry = { workspaceId, document, bytes };
    // A document larger than the whole cache is served, not kept.
    if (bytes > this.documentCacheBytes) return entry;
    this.forgetDocument(key);
    this.documents.set(key, entry);
    this.documentBytes += bytes;
    // Oldest first: a Map iterates in insertion order.
    for (const oldest of this.documents.keys()) {
      if (this.documentBytes <= this.documentCacheBytes) break;
      this.forgetDocument(oldest);
    }
    return entry;
  }

  private checkDocumentCache(): void {
    if (this.documentsCheckedThisTurn) return;
    this.documentsCheckedThisTurn = true;
    setImmediate(() => {
      this.documentsCheckedThisTurn = false;
    });
    const version = `${String(this.db.pragma('data_version', { simple: true }))}:${String(this.db.pragma('schema_version', { simple: true }))}`;
    if (version !== this.documentsVersion) {
      this.invalidateDocumentCache();
      this.documentsVersion = version;
    }
  }

  /** The table of a projection's collection, created (with its indexes) on first use. */
  private tableOf(projection: Projection): CollectionTable {
    const owner = this.owners.register(projection);
    let table = this.collections.get(projection.collection);
    if (!table) {
      table = new CollectionTable(this.db, tableFor(projection.collection), owner);
      this.collections.set(projection.collection, table);
    }
    return table;
  }

  /** For reads by collection name: the owning projection's table, or a bare table when none is registered. */
  private tableNamed(collection: string): CollectionTable {
    const owner = this.owners.get(collection);
    if (owner) return this.tableOf(owner);
    let table = this.bareTables.get(collection);
    if (!table) {
      table = new CollectionTable(this.db, tableFor(collection), { collection }, false);
      this.bareTables.set(collection, table);
    }
    return table;
  }

  private readAllStatement(options: ReadAllOptions): Statement<unknown[], EventRow> {
    const types = options.types?.length ?? 0;
    const key = `${options.workspaceId !== undefined}:${types}`;
    let statement = this.readAllStatements.get(key);
    if (!statement) {
      const where = ['position > ?'];
      if (options.workspaceId !== undefined) where.push('workspace_id = ?');
      if (types > 0) where.push(`type IN (${new Array(types).fill('?').join(', ')})`);
      statement = this.db.prepare(
        `SELECT position, stream_id, revision, type, data, metadata FROM events
         WHERE ${where.join(' AND ')} ORDER BY position LIMIT ?`,
      );
      this.readAllStatements.set(key, statement);
    }
    return statement;
  }
}

/**
 * Read models in PostgreSQL: one table per collection (./collectionTable.ts), checkpoints in
 * `projection_checkpoints`.
 *
 * `apply` writes the documents and the checkpoints in one transaction, and starts by locking the
 * projections' checkpoint rows: two projectors that both believe they hold the lease (one whose
 * lease connection just died, one that just took over) apply one after the other, and the second
 * skips what the first applied. So the checkpoint is never ahead of or behind the documents, and
 * no event is applied twice, whatever the lease does.
 */
import { evolveStored, handlesEvent, type Projection, type StoredDocument } from '../../projections/projection.js';
import type { StoredEvent } from '../eventStore.js';
import { CollectionOwners, type Document, type Query, type QueryPage, type ReadModelStore } from '../readModel.js';
import { CollectionTable, createCollectionTable, tableFor, type DocumentWrite, type Queryable, type StoredRow } from './collectionTable.js';
import { collectionsLockKey, type PostgresDatabase } from './database.js';

const undefinedTable = '42P01';

const isUndefinedTable = (error: unknown): boolean => (error as { code?: string }).code === undefinedTable;

interface Working {
  workspaceId: string;
  stored: StoredDocument | null;
  dirty: boolean;
}

export interface PostgresReadModelOptions {
  /** Projections whose collections this read model serves (their tables and indexes). */
  projections?: readonly Projection[];
  /** close() also closes the database's pool (the read model was given a pool of its own). */
  ownsDatabase?: boolean;
}

export class PostgresReadModel implements ReadModelStore {
  /** The projection that owns each collection: its indexes serve queries and `where` selectors. */
  private readonly owners = new CollectionOwners();
  private readonly tables = new Map<string, CollectionTable>();
  private readonly ensured = new Set<string>();
  private readonly ownsDatabase: boolean;

  constructor(
    readonly db: PostgresDatabase,
    options: PostgresReadModelOptions = {},
  ) {
    this.ownsDatabase = options.ownsDatabase ?? false;
    for (const projection of options.projections ?? []) this.owners.register(projection);
  }

  /** Creates the tables and indexes of every registered collection that lacks them. */
  async ensureCollections(projections: readonly Projection[] = [...this.owners.values()]): Promise<void> {
    // Each collection not created yet, with the projection that declares its indexes.
    const missing = new Map<string, Projection>();
    for (const projection of projections) {
      const owner = this.owners.register(projection);
      if (!this.ensured.has(owner.collection)) missing.set(owner.collection, owner);
    }
    if (missing.size === 0) return;
    await this.db.transaction(async (client) => {
      // Two instances starting at once would race on CREATE TABLE IF NOT EXISTS.
      await client.query('SELECT pg_advisory_xact_lock($1)', [collectionsLockKey]);
      for (const [collection, owner] of missing) await createCollectionTable(client, tableFor(collection), owner.indexes);
    });
    for (const collection of missing.keys()) this.ensured.add(collection);
  }

  async find(collection: string, workspaceId: string, id: string): Promise<Document | null> {
    const [document] = await this.findMany(collection, workspaceId, [id]);
    return document ?? null;
  }

  async findMany(collection: string, workspaceId: string, ids: readonly string[]): Promise<Document[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    try {
      const { rows } = await this.db.query<{ doc: string }>(
        `SELECT doc::text AS doc FROM ${tableFor(collection)} WHERE id = ANY($1::text[]) AND workspace_id = $2`,
        [unique, workspaceId],
      );
      return rows.map((row) => JSON.parse(row.doc) as Document);
    } catch (error) {
      if (isUndefinedTable(error)) return [];
      throw error;
    }
  }

  async query(collection: string, workspaceId: string, query: Query): Promise<QueryPage> {
    const owner = this.owners.ofQueried(collection);
    await this.ensureCollections([owner]);
    const { rows, next } = await this.tableOf(owner).query(this.db, workspaceId, query);
    return { documents: rows.map(CollectionTable.document), next };
  }

  async apply(projections: readonly Projection[], events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0 || projections.length === 0) return;
    await this.ensureCollections(projections);
    const names = [...new Set(projections.map((p) => p.name))].sort();
    await this.db.transaction(async (client) => {
      await client.query('INSERT INTO projection_checkpoints (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [names]);
      const { rows } = await client.query<{ name: string; position: string | null }>(
        'SELECT name, position::text AS position FROM projection_checkpoints WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE',
        [names],
      );
      const checkpoints = new Map(rows.map((r) => [r.name, r.position === null ? null : BigInt(r.position)]));
      for (const projection of projections) {
        const last = await this.applyProjection(client, projection, events, checkpoints.get(projection.name) ?? null);
        if (last !== null) {
          await client.query('UPDATE projection_checkpoints SET position = $2 WHERE name = $1', [projection.name, last.toString()]);
          checkpoints.set(projection.name, last);
        }
      }
    });
  }

  async checkpoint(projection: string): Promise<bigint | null> {
    const { rows } = await this.db.query<{ position: string | null }>(
      'SELECT position::text AS position FROM projection_checkpoints WHERE name = $1',
      [projection],
    );
    return rows[0]?.position == null ? null : BigInt(rows[0].position);
  }

  ping(): Promise<void> {
    return this.db.ping();
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.db.close();
  }

  /**
   * Evolves the documents an event batch touches, in memory, and writes each changed one once.
   * A `where` selector reads the table, so pending changes are written first.
   */
  async applyProjection(
    client: Queryable,
    projection: Projection,
    events: readonly StoredEvent[],
    checkpoint: bigint | null,
    table: CollectionTable = this.tableOf(projection),
  ): Promise<bigint | null> {
    const pending = events.filter((event) => checkpoint === null || event.position > checkpoint);
    const last = pending[pending.length - 1];
    if (last === undefined) return null;
    const handled = pending.filter((event) => handlesEvent(projection, event));
    const working = new Map<string, Working>();
    const remember = (row: StoredRow): Working => {
      const entry = {
        workspaceId: row.workspace_id,
        stored: { document: CollectionTable.document(row), position: BigInt(row.position) },
        dirty: false,
      };
      working.set(row.id, entry);
      return entry;
    };
    const selectors = handled.map((event) => projection.documents(event));
    const byId = [...new Set(selectors.flatMap((s) => ('ids' in s ? s.ids : [])))];
    for (const row of await table.findMany(client, byId)) remember(row);
    const flush = async (): Promise<void> => {
      const writes: DocumentWrite[] = [];
      for (const [id, entry] of working) {
        if (!entry.dirty) continue;
        entry.dirty = false;
        const document = entry.stored?.document ?? null;
        writes.push({
          id,
          workspaceId: entry.workspaceId,
          json: document === null ? null : JSON.stringify(document),
          position: entry.stored?.position ?? 0n,
        });
      }
      await table.write(client, writes);
    };
    for (let i = 0; i < handled.length; i += 1) {
      const event = handled[i];
      const selector = selectors[i];
      if (event === undefined || selector === undefined) throw new Error(`${projection.name}: a handled event without its selector`);
      let touched: [string, Working | undefined][];
      if ('ids' in selector) {
        touched = selector.ids.map((id) => [id, working.get(id)]);
      } else {
        await flush();
        const rows = await table.selectWhere(client, selector.workspaceId, selector.where.field, selector.where.equals);
        touched = rows.map((row) => [row.id, remember(row)]);
      }
      for (const [id, entry] of touched) {
        const stored = entry?.stored ?? null;
        const next = evolveStored(projection, id, stored, event);
        if (next === null) continue;
        if (next.document === null && stored === null) continue;
        working.set(id, { workspaceId: selector.workspaceId, stored: next.document === null ? null : next, dirty: true });
      }
    }
    await flush();
    return last.position;
  }

  private tableOf(projection: Projection): CollectionTable {
    const owner = this.owners.register(projection);
    let table = this.tables.get(projection.collection);
    if (!table) {
      table = new CollectionTable(tableFor(projection.collection), owner);
      this.tables.set(projection.collection, table);
    }
    return table;
  }
}

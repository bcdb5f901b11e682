/**
 * One read-model collection in PostgreSQL: a table `rm_<collection>` of documents (verbatim `json`
 * text, see ./migrations.ts) with the secondary indexes its projection declares. The store and
 * the rebuild both create tables and write through this, so a rebuilt table has exactly the
 * indexes a live one has.
 *
 * A field is indexed and compared as `NULLIF((doc -> 'f')::jsonb, 'null')`: numbers compare
 * numerically, strings by the database's collation (code-point order with the C or C.UTF-8
 * collations the service expects), and a missing field and a JSON null are both SQL NULL (as in
 * SQLite's json_extract), which sorts first. A `multi` (array) field gets a GIN index on the
 * array, queried with containment (`@>`).
 *
 * Index names carry a hash of the table and the definition, so a changed declaration gets a new
 * index (the old one is dropped) and a rebuilt table's indexes are renamed with it.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Document, IndexSpec, Projection, Scalar } from '../../projections/projection.js';
import {
  checkQueryLimit,
  chooseIndex,
  isEquality,
  multiFieldsOf,
  multiIndexField,
  whereIndex,
  type Query,
  type QueryPage,
} from '../readModel.js';

const collectionName = /^[a-z][a-z0-9_]{0,40}$/;
const fieldName = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export const tableFor = (collection: string): string => {
  if (!collectionName.test(collection)) throw new Error(`invalid collection name ${collection}`);
  return `rm_${collection}`;
};

const checkField = (field: string): string => {
  if (!fieldName.test(field)) throw new Error(`invalid field name ${field}`);
  return field;
};

/** The SQL expression of a top-level document field, exactly as indexes and queries spell it. */
export const fieldExpression = (field: string): string =>
  field === 'id' ? 'id' : `NULLIF((doc -> '${checkField(field)}')::jsonb, 'null'::jsonb)`;

const arrayExpression = (field: string): string => `((doc -> '${checkField(field)}')::jsonb)`;

const jsonParam = (value: Scalar): string => JSON.stringify(value);

export interface StoredRow {
  id: string;
  workspace_id: string;
  doc: string;
  position: string;
}

/** A pool, a pool client inside a transaction, or PostgresDatabase (which maps outages to 503). */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

interface IndexDefinition {
  name: string;
  sql: (table: string, name: string) => string;
}

const definitionsFor = (table: string, indexes: readonly IndexSpec[]): IndexDefinition[] =>
  indexes.map((index) => {
    const body = index.multi
      ? `USING gin (${arrayExpression(multiIndexField(index))} jsonb_path_ops)`
      : `(workspace_id, ${index.fields.map((f) => (f === 'id' ? 'id' : `(${fieldExpression(f)}) NULLS FIRST`)).join(', ')}, id)`;
    const hash = createHash('sha256').update(`${table}\n${body}`).digest('hex').slice(0, 10);
    return { name: `ix_${hash}_${checkField(index.name).slice(0, 40)}`, sql: (t, name) => `CREATE INDEX ${name} ON ${t} ${body}` };
  });

export const indexNames = (table: string, indexes: readonly IndexSpec[] = []): string[] =>
  definitionsFor(table, indexes).map((d) => d.name);

/** Creates the table if missing and brings its indexes to what is declared. Run under the collections lock. */
export const createCollectionTable = async (client: Queryable, table: string, indexes: readonly IndexSpec[] = []): Promise<void> => {
  await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
    id text COLLATE "C" PRIMARY KEY,
    workspace_id text COLLATE "C" NOT NULL,
    doc json NOT NULL,
    position bigint NOT NULL
  )`);
  const wanted = definitionsFor(table, indexes);
  const { rows } = await client.query<{ indexname: string }>(
    "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = $1 AND indexname LIKE 'ix\\_%'",
    [table],
  );
  const present = new Set(rows.map((r) => r.indexname));
  for (const name of present) if (!wanted.some((w) => w.name === name)) await client.query(`DROP INDEX ${name}`);
  for (const definition of wanted) if (!present.has(definition.name)) await client.query(definition.sql(table, definition.name));
};

/** Renames a table and its declared indexes (so the index names match the new table name). */
export const renameCollectionTable = async (
  client: Queryable,
  from: string,
  to: string,
  indexes: readonly IndexSpec[] = [],
): Promise<void> => {
  await client.query(`ALTER TABLE ${from} RENAME TO ${to}`);
  const before = indexNames(from, indexes);
  const after = indexNames(to, indexes);
  for (let i = 0; i < before.length; i += 1) await client.query(`ALTER INDEX IF EXISTS ${before[i]} RENAME TO ${after[i]}`);
  await client.query(`ALTER INDEX IF EXISTS ${from}_pkey RENAME TO ${to}_pkey`);
};

/** A document write: the new JSON text, or null to delete. */
export interface DocumentWrite {
  id: string;
  workspaceId: string;
  json: string | null;
  position: bigint;
}

/** Reads and writes of one collection table; `projection` declares its indexes. */
export class CollectionTable {
  private readonly multiFields: readonly string[];

  constructor(
    readonly table: string,
    readonly projection: Pick<Projection, 'collection' | 'indexes'>,
  ) {
    this.multiFields = multiFieldsOf(projection);
  }

  async findMany(client: Queryable, ids: readonly string[]): Promise<StoredRow[]> {
    if (ids.length === 0) return [];
    const { rows } = await client.query<StoredRow>(
      `SELECT id, workspace_id, doc::text AS doc, position::text AS position FROM ${this.table} WHERE id = ANY($1::text[])`,
      [ids],
    );
    return rows;
  }

  /** Writes upserts and deletes in two statements, whatever their number. */
  async write(client: Queryable, writes: readonly DocumentWrite[]): Promise<void> {
    const upserts = writes.filter((w) => w.json !== null);
    const deletes = writes.filter((w) => w.json === null).map((w) => w.id);
    if (deletes.length > 0) await client.query(`DELETE FROM ${this.table} WHERE id = ANY($1::text[])`, [deletes]);
    if (upserts.length > 0) {
      await client.query(
        `INSERT INTO ${this.table} (id, workspace_id, doc, position)
         SELECT * FROM unnest($1::text[], $2::text[], $3::json[], $4::bigint[])
         ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, doc = excluded.doc, position = excluded.position`,
        [
          upserts.map((w) => w.id),
          upserts.map((w) => w.workspaceId),
          upserts.map((w) => w.json),
          upserts.map((w) => w.position.toString()),
        ],
      );
    }
  }

  /** Existing documents of a workspace whose `field` equals (or, multi: contains) `value`, through its index. */
  async selectWhere(client: Queryable, workspaceId: string, field: string, value: Scalar): Promise<StoredRow[]> {
    let condition: string;
    let param: string;
    if (this.multiFields.includes(field)) {
      if (value === null) return [];
      condition = `${arrayExpression(field)} @> $2::jsonb`;
      param = JSON.stringify([value]);
    } else {
      whereIndex(this.projection, field);
      if (value === null) throw new Error(`a where selector on ${field} cannot match null`);
      condition = `${fieldExpression(field)} = $2::jsonb`;
      param = jsonParam(value);
    }
    const { rows } = await client.query<StoredRow>(
      `SELECT id, workspace_id, doc::text AS doc, position::text AS position FROM ${this.table} WHERE workspace_id = $1 AND ${condition}`,
      [workspaceId, param],
    );
    return rows;
  }

  async query(client: Queryable, workspaceId: string, query: Query): Promise<{ rows: StoredRow[] } & Pick<QueryPage, 'next'>> {
    checkQueryLimit(query);
    const { sql, params } = this.plan(workspaceId, query);
    const { rows } = await client.query<StoredRow & { sort: Scalar }>(sql, params);
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return { rows: page, next: more && last ? { value: query.orderBy === 'id' ? last.id : last.sort, id: last.id } : null };
  }

  /**
   * Turns a query into SQL that a declared index serves (`chooseIndex`; the planner picks it, so
   * the choice is only checked). Conditions on multi fields use their GIN index; the rest are
   * checked on the rows the index yields.
   */
  private plan(workspaceId: string, query: Query): { sql: string; params: unknown[] } {
    chooseIndex(this.projection, query);
    const conditions = Object.entries(query.where ?? {});
    const order = query.orderBy;
    const params: unknown[] = [workspaceId];
    const bind = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const where: string[] = ['workspace_id = $1'];
    for (const [field, condition] of conditions) {
      if (this.multiFields.includes(field)) {
        const array = arrayExpression(field);
        // As in SQLite's terms table, a null is no term: "contains null" finds nothing.
        if (isEquality(condition)) {
          where.push(condition === null ? 'false' : `${array} @> ${bind(JSON.stringify([condition]))}::jsonb`);
          continue;
        }
        if ('in' in condition) {
          const values = condition.in.filter((v) => v !== null);
          where.push(
            values.length === 0 ? 'false' : `(${values.map((v) => `${array} @> ${bind(JSON.stringify([v]))}::jsonb`).join(' OR ')})`,
          );
          continue;
        }
        throw new Error(`a range on the array field ${field} is not supported`);
      }
      const expression = field === 'id' ? 'id' : fieldExpression(field);
      const typed = (value: Scalar): string => (field === 'id' ? `${bind(value)}::text` : `${bind(jsonParam(value))}::jsonb`);
      if (isEquality(condition)) {
        where.push(condition === null ? `${expression} IS NULL` : `${expression} = ${typed(condition)}`);
      } else if ('in' in condition) {
        // As in SQL (and SQLite), a null in the list matches nothing.
        const values = condition.in.filter((v) => v !== null);
        where.push(values.length === 0 ? 'false' : `${expression} IN (${values.map(typed).join(', ')})`);
      } else {
        for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
          const bound = condition[op];
          if (bound === undefined) continue;
          where.push(`${expression} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[op]} ${typed(bound)}`);
        }
      }
    }
    const sortExpression = order === 'id' ? 'id' : fieldExpression(order);
    if (query.after) {
      if (order === 'id') {
        where.push(`id > ${bind(query.after.id)}::text`);
      } else if (query.after.value === null) {
        // Nulls sort first: after (null, id) come the other nulls with a greater id, then every value.
        where.push(`(${sortExpression} IS NOT NULL OR id > ${bind(query.after.id)}::text)`);
      } else {
        // A null sort value fails both comparisons: nulls come before any cursor value.
        const value = bind(jsonParam(query.after.value));
        where.push(`${sortExpression} >= ${value}::jsonb AND (${sortExpression} > ${value}::jsonb OR id > ${bind(query.after.id)}::text)`);
      }
    }
    const orderBy = order === 'id' ? 'id' : `${sortExpression} NULLS FIRST, id`;
    const sql = `SELECT id, workspace_id, doc::text AS doc, position::text AS position, ${sortExpression} AS sort
      FROM ${this.table} WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT ${bind(query.limit + 1)}`;
    return { sql, params };
  }

  /** Parses a stored row's document (a function, not a method: it is passed to `map`). */
  static readonly document = (row: StoredRow): Document => JSON.parse(row.doc) as Document;
}

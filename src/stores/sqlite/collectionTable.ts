/**
 * One read-model collection in SQLite: a table of JSON documents (`rm_<collection>`), the
 * secondary indexes its projection declares, and, for `multi` indexes (array fields), a terms
 * table holding one row per (field, value, document). The store and the rebuild both write
 * through this, so a rebuilt table has exactly the indexes and terms a live one has.
 *
 * Index names: SQLite cannot rename an index, and a rebuild renames `rm_x__next` to `rm_x`. So an
 * index is recognised by its definition (the indexed expressions), not its name: a table gets the
 * declared indexes it lacks, under fresh names, and loses the `ix_` indexes no longer declared.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Document, IndexSpec, Projection, Scalar } from '../../projections/projection.js';
import { checkQueryLimit, chooseIndex, isEquality, multiFieldsOf, whereIndex, type Query, type QueryPage } from '../readModel.js';

const collectionName = /^[a-z][a-z0-9_]{0,62}$/;
const fieldName = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;

export const tableFor = (collection: string): string => {
  if (!collectionName.test(collection)) throw new Error(`invalid collection name ${collection}`);
  return `rm_${collection}`;
};

/** The terms table of a collection table (same suffix, so `__next`/`__old` leftovers are found alike). */
export const termsTableFor = (table: string): string => `terms_${table}`;

const checkField = (field: string): string => {
  if (!fieldName.test(field)) throw new Error(`invalid field name ${field}`);
  return field;
};

/** The SQL expression of a top-level document field, exactly as indexes and queries spell it. */
const fieldExpression = (field: string): string => (field === 'id' ? 'id' : `json_extract(doc, '$.${checkField(field)}')`);

/** SQLite has no boolean: JSON true/false come back from json_extract as 1/0. */
const bindable = (value: Scalar): string | number | null => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

/** An index's column list exactly as SQLite keeps it in sqlite_master (how a table's indexes are recognised). */
const indexDefinition = (index: IndexSpec): string => `(${['workspace_id', ...index.fields.map(fieldExpression), 'id'].join(', ')})`;

export interface StoredRow {
  id: string;
  doc: string;
  position: number;
}

/**
 * Creates the table and the terms table if missing, and brings the table's indexes to what is
 * declared. `'keep'`: the caller knows no declaration (a reader of a collection no registered
 * projection owns), so the indexes are left as they are.
 */
export const createCollectionTable = (db: Database.Database, table: string, indexes: readonly IndexSpec[] | 'keep' = []): void => {
  db.exec(`
    CREATE TABLE IF NOT EXISTS ${table} (
      id TEXT PRIMARY KEY,
      workspace_id TEXT NOT NULL,
      doc TEXT NOT NULL,
      position INTEGER NOT NULL
    ) WITHOUT ROWID;
  `);
  if (indexes === 'keep') return;
  const wanted = new Map<string, IndexSpec>();
  for (const index of indexes.filter((i) => !i.multi)) wanted.set(indexDefinition(index), index);
  ensureIndexes(db, table, wanted);
  if (indexes.some((i) => i.multi)) {
    const terms = termsTableFor(table);
    db.exec(`
      CREATE TABLE IF NOT EXISTS ${terms} (
        id TEXT NOT NULL,
        field TEXT NOT NULL,
        value ANY,
        workspace_id TEXT NOT NULL,
        PRIMARY KEY (id, field, value)
      ) WITHOUT ROWID;
    `);
    ensureIndexes(db, terms, new Map([['(workspace_id, field, value, id)', { name: 'lookup', fields: [] }]]));
  }
};

const ensureIndexes = (db: Database.Database, table: string, wanted: ReadonlyMap<string, IndexSpec>): void => {
  const existing = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'ix\\_%' ESCAPE '\\'")
    .all(table) as { name: string; sql: string }[];
  const present = new Set<string>();
  for (const { name, sql } of existing) {
    const definition = sql.slice(sql.indexOf('('));
    if (wanted.has(definition) && !present.has(definition)) present.add(definition);
    else db.exec(`DROP INDEX ${name}`);
  }
  for (const [definition, index] of wanted) {
    if (present.has(definition)) continue;
    db.exec(`CREATE INDEX ix_${randomBytes(4).toString('hex')}_${checkField(index.name)} ON ${table} ${definition}`);
  }
};

/** Drops a collection table and its terms table. */
export const dropCollectionTable = (db: Database.Database, table: string): void => {
  db.exec(`DROP TABLE IF EXISTS ${table}; DROP TABLE IF EXISTS ${termsTableFor(table)};`);
};

/** Renames a collection table and its terms table (indexes follow their tables). */
export const renameCollectionTable = (db: Database.Database, from: string, to: string): void => {
  db.exec(`ALTER TABLE ${from} RENAME TO ${to}`);
  const terms = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(termsTableFor(from));
  if (terms) db.exec(`ALTER TABLE ${termsTableFor(from)} RENAME TO ${termsTableFor(to)}`);
};

interface TermStatements {
  remove: Statement<[string]>;
  insert: Statement<[string, string, string | number | null, string]>;
}

/** Prepared statements over one collection table; `projection` declares its indexes. */
export class CollectionTable {
  private readonly multiFields: readonly string[];
  private readonly statements: {
    find: Statement<[string], { doc: string; workspace_id: string; position: number }>;
    upsert: Statement<[string, string, string, number]>;
    insert: Statement<[string, string, string, number]>;
    update: Statement<[string, string, number, string]>;
    remove: Statement<[string]>;
  };
  /** The terms table's statements, when the collection has `multi` fields. */
  private readonly terms: TermStatements | undefined;
  private readonly whereStatements = new Map<string, Statement<unknown[], StoredRow>>();
  private readonly queryStatements = new Map<string, Statement<unknown[], StoredRow>>();
  private readonly schemaVersion: Statement<[], number>;
  private knownSchemaVersion: number | undefined;
  private indexNames: Map<string, string> | undefined;

  /** `declared` false: no projection owns the collection here; its indexes are left as they are and no terms are kept. */
  constructor(
    private readonly db: Database.Database,
    readonly table: string,
    readonly projection: Pick<Projection, 'collection' | 'indexes'>,
    declared = true,
  ) {
    createCollectionTable(db, table, declared ? (projection.indexes ?? []) : 'keep');
    this.multiFields = multiFieldsOf(projection);
    const terms = termsTableFor(table);
    this.schemaVersion = db.prepare('SELECT schema_version FROM pragma_schema_version').pluck() as Statement<[], number>;
    this.statements = {
      find: db.prepare(`SELECT doc, workspace_id, position FROM ${table} WHERE id = ?`),
      upsert: db.prepare(
        `INSERT INTO ${table} (id, workspace_id, doc, position) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET workspace_id = excluded.workspace_id, doc = excluded.doc, position = excluded.position`,
      ),
      insert: db.prepare(`INSERT INTO ${table} (id, workspace_id, doc, position) VALUES (?, ?, ?, ?)`),
      update: db.prepare(`UPDATE ${table} SET workspace_id = ?, doc = ?, position = ? WHERE id = ?`),
      remove: db.prepare(`DELETE FROM ${table} WHERE id = ?`),
    };
    this.terms =
      this.multiFields.length === 0
        ? undefined
        : {
            remove: db.prepare(`DELETE FROM ${terms} WHERE id = ?`),
            insert: db.prepare(`INSERT OR IGNORE INTO ${terms} (id, field, value, workspace_id) VALUES (?, ?, ?, ?)`),
          };
  }

  /** True when the collection keeps a terms table (writes must parse the document). */
  get hasTerms(): boolean {
    return this.multiFields.length > 0;
  }

  find(id: string): { doc: string; workspace_id: string; position: number } | undefined {
    return this.statements.find.get(id);
  }

  /**
   * Writes a document (JSON text and, when given, the parsed document for its terms). `previous`:
   * the document an update replaces, as stored, so that terms that stay the same are not rewritten.
   */
  write(
    id: string,
    workspaceId: string,
    json: string,
    position: number,
    kind: 'upsert' | 'insert' | 'update',
    document?: Document,
    previous?: { workspaceId: string; document: Document },
  ): void {
    if (kind === 'upsert') this.statements.upsert.run(id, workspaceId, json, position);
    else if (kind === 'insert') this.statements.insert.run(id, workspaceId, json, position);
    else this.statements.update.run(workspaceId, json, position, id);
    if (!this.terms) return;
    const next = document ?? (JSON.parse(json) as Document);
    if (kind === 'update' && previous?.workspaceId === workspaceId && this.sameTerms(previous.document, next)) return;
    this.writeTerms(this.terms, id, workspaceId, next, kind !== 'insert');
  }

  /** True when two documents give the same terms: their multi fields hold the same values in the same order. */
  private sameTerms(a: Document, b: Document): boolean {
    return this.multiFields.every((field) => {
      const x = a[field];
      const y = b[field];
      if (!Array.isArray(x) || !Array.isArray(y)) return !Array.isArray(x) && !Array.isArray(y);
      return x.length === y.length && x.every((value: unknown, i) => value === y[i]);
    });
  }

  remove(id: string): void {
    this.statements.remove.run(id);
    this.terms?.remove.run(id);
  }

  /** Existing documents of a workspace whose `field` equals (or, multi: contains) `value`, through its index. */
  selectWhere(workspaceId: string, field: string, value: Scalar): StoredRow[] {
    return this.whereStatement(field).all(workspaceId, bindable(value));
  }

  /** The statement of `selectWhere` on a field, prepared on first use. */
  private whereStatement(field: string): Statement<unknown[], StoredRow> {
    let statement = this.whereStatements.get(field);
    if (!statement) {
      if (this.multiFields.includes(field)) {
        statement = this.db.prepare(
          `SELECT t.id AS id, t.doc AS doc, t.position AS position FROM ${termsTableFor(this.table)} m JOIN ${this.table} t ON t.id = m.id
           WHERE m.workspace_id = ? AND m.field = '${checkField(field)}' AND m.value = ?`,
        );
      } else {
        whereIndex(this.projection, field);
        statement = this.db.prepare(`SELECT id, doc, position FROM ${this.table} WHERE workspace_id = ? AND ${fieldExpression(field)} = ?`);
      }
      this.whereStatements.set(field, statement);
    }
    return statement;
  }

  query(workspaceId: string, query: Query): { rows: StoredRow[]; sortValues: Scalar[] } & Pick<QueryPage, 'next'> {
    checkQueryLimit(query);
    let rows: (StoredRow & { sort: Scalar })[];
    try {
      rows = this.runQuery(workspaceId, query);
    } catch (error) {
      // A rebuild's switch on another connection, between the schema check and the read, renamed
      // the indexes away: read the new names and run the query once more.
      if (!(error instanceof Error && error.message.includes('no such index'))) throw error;
      this.forgetSchema();
      rows = this.runQuery(workspaceId, query);
    }
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const last = page[page.length - 1];
    return {
      rows: page,
      sortValues: page.map((row) => row.sort),
      next: more && last ? { value: last.sort, id: last.id } : null,
    };
  }

  private runQuery(workspaceId: string, query: Query): (StoredRow & { sort: Scalar })[] {
    this.checkSchema();
    const plan = this.plan(query);
    let statement = this.queryStatements.get(plan.key);
    if (!statement) {
      statement = this.db.prepare(plan.sql);
      this.queryStatements.set(plan.key, statement);
    }
    return statement.all(workspaceId, ...plan.params(workspaceId), query.limit + 1) as (StoredRow & { sort: Scalar })[];
  }

  /**
   * Queries name their index (INDEXED BY), and a rebuild gives the table indexes of new names:
   * when the schema has changed, the names are read again and the statements prepared again.
   */
  private checkSchema(): void {
    const version = this.schemaVersion.get();
    if (version !== this.knownSchemaVersion) {
      this.forgetSchema();
      this.knownSchemaVersion = version;
    }
  }

  private forgetSchema(): void {
    this.queryStatements.clear();
    this.indexNames = undefined;
    this.knownSchemaVersion = undefined;
  }

  /** The current name of a declared index on this table (found by its definition). */
  private indexName(index: IndexSpec): string {
    if (!this.indexNames) {
      const rows = this.db
        .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE 'ix\\_%' ESCAPE '\\'")
        .all(this.table) as { name: string; sql: string }[];
      this.indexNames = new Map(rows.map((row) => [row.sql.slice(row.sql.indexOf('(')), row.name]));
    }
    const name = this.indexNames.get(indexDefinition(index));
    if (name === undefined) throw new Error(`table ${this.table} lacks the index ${index.name} its projection declares`);
    return name;
  }

  /** SQLite's plan for a query (EXPLAIN QUERY PLAN details), to check that a declared index serves it. */
  explainQuery(workspaceId: string, query: Query): string[] {
    this.checkSchema();
    const plan = this.plan(query);
    return this.explain(plan.sql, [workspaceId, ...plan.params(workspaceId), query.limit + 1]);
  }

  /** SQLite's plan for a `where` selector's lookup. */
  explainWhere(workspaceId: string, field: string, value: Scalar): string[] {
    return this.explain(this.whereStatement(field).source, [workspaceId, bindable(value)]);
  }

  private explain(sql: string, params: unknown[]): string[] {
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
  }

  private writeTerms(terms: TermStatements, id: string, workspaceId: string, document: Document, replace: boolean): void {
    if (replace) terms.remove.run(id);
    for (const field of this.multiFields) {
      const values = document[field];
      if (!Array.isArray(values)) continue;
      for (const value of values as unknown[]) {
        // A null is no term (the terms key cannot hold one): "contains null" finds nothing.
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
          terms.insert.run(id, field, bindable(value), workspaceId);
        }
      }
    }
  }

  /**
   * Turns a query into SQL over the declared index that serves it (`chooseIndex`). Conditions on
   * multi fields go through the terms table; the rest are checked on the rows the index yields.
   * With an `in` on a leading field SQLite sorts the rows it found instead of reading them in
   * index order.
   */
  private plan(query: Query): { key: string; sql: string; params: (workspaceId: string) => unknown[] } {
    const conditions = Object.entries(query.where ?? {});
    const order = query.orderBy;
    // SQLite is told which index (INDEXED BY): without statistics it prefers a two-sided range on
    // the sort field alone to an equality followed by that range.
    const chosen = chooseIndex(this.projection, query);
    const shape: string[] = [];
    const where: string[] = ['workspace_id = ?'];
    const binders: ((workspaceId: string) => unknown[])[] = [];
    for (const [field, condition] of conditions) {
      if (this.multiFields.includes(field)) {
        const terms = termsTableFor(this.table);
        if (isEquality(condition)) {
          shape.push(`${field}:contains`);
          // Not correlated with the outer row (the workspace is a parameter), so SQLite builds the
          // list of ids once instead of searching the terms again for every row it reads.
          where.push(`id IN (SELECT id FROM ${terms} WHERE workspace_id = ? AND field = '${field}' AND value = ?)`);
          binders.push((workspaceId) => [workspaceId, bindable(condition)]);
          continue;
        }
        if ('in' in condition) {
          const n = condition.in.length;
          shape.push(`${field}:contains-in${n}`);
          where.push(
            n === 0
              ? '0'
              : `id IN (SELECT id FROM ${terms} WHERE workspace_id = ? AND field = '${field}' AND value IN (${new Array(n).fill('?').join(', ')}))`,
          );
          binders.push((workspaceId) => (n === 0 ? [] : [workspaceId, ...condition.in.map(bindable)]));
          continue;
        }
        throw new Error(`a range on the array field ${field} is not supported`);
      }
      const expression = fieldExpression(field);
      if (isEquality(condition)) {
        shape.push(`${field}:eq`);
        where.push(condition === null ? `${expression} IS NULL` : `${expression} = ?`);
        if (condition !== null) binders.push(() => [bindable(condition)]);
      } else if ('in' in condition) {
        const n = condition.in.length;
        shape.push(`${field}:in${n}`);
        where.push(n === 0 ? '0' : `${expression} IN (${new Array(n).fill('?').join(', ')})`);
        binders.push(() => condition.in.map(bindable));
      } else {
        for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
          const bound = condition[op];
          if (bound === undefined) continue;
          shape.push(`${field}:${op}`);
          where.push(`${expression} ${{ gt: '>', gte: '>=', lt: '<', lte: '<=' }[op]} ?`);
          binders.push(() => [bindable(bound)]);
        }
      }
    }
    const sortExpression = fieldExpression(order);
    const after = query.after;
    if (after) {
      if (order === 'id') {
        shape.push('after');
        where.push('id > ?');
        binders.push(() => [after.id]);
      } else if (after.value === null) {
        // Nulls sort first: after (null, id) come the other nulls with a greater id, then every value.
        shape.push('after-null');
        where.push(`(${sortExpression} IS NOT NULL OR id > ?)`);
        binders.push(() => [after.id]);
      } else {
        // Spelled out rather than as a row value `(sort, id) > (?, ?)`: SQLite does not bound an
        // index range on a row value over an expression, and would read every row before the
        // cursor. A null sort value fails both comparisons: nulls come before any cursor value.
        shape.push('after');
        where.push(`${sortExpression} >= ? AND (${sortExpression} > ? OR id > ?)`);
        binders.push(() => [bindable(after.value), bindable(after.value), after.id]);
      }
    }
    const sql = `SELECT id, doc, position, ${sortExpression} AS sort FROM ${this.table} INDEXED BY ${this.indexName(chosen)} WHERE ${where.join(' AND ')} ORDER BY ${order === 'id' ? 'id' : `${sortExpression}, id`} LIMIT ?`;
    return { key: `${order}|${shape.join(',')}`, sql, params: (workspaceId) => binders.flatMap((bind) => bind(workspaceId)) };
  }
}

/**
 * Compares read-model tables of the same projections (the current ones and rebuilt ones), and
 * computes the canonical checksum of a read model (see ../../projections/checksum.ts). Callers run
 * these inside a transaction so that every table is read in one snapshot.
 */
import type Database from 'better-sqlite3';
import { CollectionChecksum, combineChecksums } from '../../projections/checksum.js';
import type { Projection } from '../../projections/projection.js';
import type { CollectionComparison, CompareOptions, Comparison, DocumentDifferences } from '../readModel.js';
import { tableFor } from './sqliteStore.js';

interface DocRow {
  id: string;
  workspace_id: string;
  doc: string;
}

export interface TablePair {
  projection: Projection;
  /** May not exist (a projection never built before): then it holds no document. */
  current: string;
  rebuilt: string;
}

export const tableExists = (db: Database.Database, table: string): boolean =>
  db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;

/** One merge pass over both tables in id order: counts, differences and checksums together. */
const compareTable = (db: Database.Database, pair: TablePair, options: CompareOptions): CollectionComparison => {
  const empty = (): DocumentDifferences => ({ count: 0, examples: [] });
  const missing = empty();
  const extra = empty();
  const changed = empty();
  const note = (differences: DocumentDifferences, id: string): void => {
    differences.count += 1;
    if (differences.examples.length < options.examples) differences.examples.push(id);
  };
  const currentSum = new CollectionChecksum();
  const rebuiltSum = new CollectionChecksum();
  const rows = (table: string): IterableIterator<DocRow> =>
    db.prepare(`SELECT id, workspace_id, doc FROM ${table} ORDER BY id`).iterate() as IterableIterator<DocRow>;
  const emptyRows = (): IterableIterator<DocRow> => [][Symbol.iterator]();
  const left = tableExists(db, pair.current) ? rows(pair.current) : emptyRows();
  const right = rows(pair.rebuilt);
  const counts = { current: 0, rebuilt: 0 };
  try {
    let a = left.next();
    let b = right.next();
    while (!a.done || !b.done) {
      const cur = a.done ? undefined : a.value;
      const reb = b.done ? undefined : b.value;
      if (cur && (!reb || cur.id < reb.id)) {
        if (options.differences) note(extra, cur.id);
        if (options.checksums) currentSum.add(cur.id, cur.workspace_id, cur.doc);
        counts.current += 1;
        a = left.next();
      } else if (reb && (!cur || reb.id < cur.id)) {
        if (options.differences) note(missing, reb.id);
        if (options.checksums) rebuiltSum.add(reb.id, reb.workspace_id, reb.doc);
        counts.rebuilt += 1;
        b = right.next();
      } else if (cur && reb) {
        if (options.differences && (cur.doc !== reb.doc || cur.workspace_id !== reb.workspace_id)) note(changed, cur.id);
        if (options.checksums) {
          currentSum.add(cur.id, cur.workspace_id, cur.doc);
          rebuiltSum.add(reb.id, reb.workspace_id, reb.doc);
        }
        counts.current += 1;
        counts.rebuilt += 1;
        a = left.next();
        b = right.next();
      }
    }
  } finally {
    left.return?.();
    right.return?.();
  }
  return {
    projection: pair.projection.name,
    collection: pair.projection.collection,
    current: counts.current,
    rebuilt: counts.rebuilt,
    missing,
    extra,
    changed,
    ...(options.checksums ? { checksums: { current: currentSum.digest(), rebuilt: rebuiltSum.digest() } } : {}),
  };
};

/** Compares each pair of tables; the result is said to reflect the log up to `position`. */
export const compareTables = (
  db: Database.Database,
  pairs: readonly TablePair[],
  position: bigint | null,
  options: CompareOptions,
): Comparison => {
  const collections = pairs.map((pair) => compareTable(db, pair, options));
  const sums = (side: 'current' | 'rebuilt') =>
    combineChecksums(new Map(collections.map((c) => [c.collection, c.checksums![side]])));
  return {
    position,
    collections,
    ...(options.checksums ? { checksums: { current: sums('current'), rebuilt: sums('rebuilt') } } : {}),
  };
};

/** Canonical checksum of the current read-model tables of these projections. */
export const sqliteReadModelChecksum = (
  db: Database.Database,
  projections: readonly Projection[],
): { checksum: string; collections: Record<string, { checksum: string; documents: number }> } =>
  db.transaction(() => {
    const sums = new Map<string, string>();
    const collections: Record<string, { checksum: string; documents: number }> = {};
    for (const projection of projections) {
      const sum = new CollectionChecksum();
      const table = tableFor(projection.collection);
      if (tableExists(db, table)) {
        for (const row of db.prepare(`SELECT id, workspace_id, doc FROM ${table} ORDER BY id`).iterate() as IterableIterator<DocRow>) {
          sum.add(row.id, row.workspace_id, row.doc);
        }
      }
      const digest = sum.digest();
      sums.set(projection.collection, digest);
      collections[projection.collection] = { checksum: digest, documents: sum.count };
    }
    return { checksum: combineChecksums(sums), collections };
  })();

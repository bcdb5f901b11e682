/**
 * Compares read-model tables of the same projections (the current ones and rebuilt ones), and
 * computes the canonical checksum of a read model (see ../../projections/checksum.ts). Callers run
 * these inside a transaction so that every table is read in one snapshot.
 */
import type Database from 'better-sqlite3';
import { CollectionChecksum, readModelChecksum, type CollectionSum, type ReadModelChecksum } from '../../projections/checksum.js';
import { DocumentComparison, type ComparedDocument } from '../../projections/documentComparison.js';
import type { Projection } from '../../projections/projection.js';
import { comparisonOf, type CollectionComparison, type CompareOptions, type Comparison } from '../readModel.js';
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
  const comparison = new DocumentComparison(options);
  const rows = (table: string): IterableIterator<DocRow> =>
    db.prepare(`SELECT id, workspace_id, doc FROM ${table} ORDER BY id`).iterate() as IterableIterator<DocRow>;
  const emptyRows = (): IterableIterator<DocRow> => [][Symbol.iterator]();
  const left = tableExists(db, pair.current) ? rows(pair.current) : emptyRows();
  const right = rows(pair.rebuilt);
  const next = (source: IterableIterator<DocRow>): ComparedDocument | undefined => {
    const row = source.next();
    return row.done ? undefined : { id: row.value.id, workspaceId: row.value.workspace_id, json: row.value.doc };
  };
  try {
    let cur = next(left);
    let reb = next(right);
    while (cur || reb) {
      const advance = comparison.step(cur, reb);
      if (advance.current) cur = next(left);
      if (advance.rebuilt) reb = next(right);
    }
  } finally {
    left.return?.();
    right.return?.();
  }
  return { projection: pair.projection.name, collection: pair.projection.collection, ...comparison.result() };
};

/** Compares each pair of tables; the result is said to reflect the log up to `position`. */
export const compareTables = (
  db: Database.Database,
  pairs: readonly TablePair[],
  position: bigint | null,
  options: CompareOptions,
): Comparison => {
  return comparisonOf(
    position,
    pairs.map((pair) => compareTable(db, pair, options)),
    options,
  );
};

/** Canonical checksum of the current read-model tables of these projections. */
export const sqliteReadModelChecksum = (db: Database.Database, projections: readonly Projection[]): ReadModelChecksum =>
  db.transaction(() => {
    const sums = new Map<string, CollectionSum>();
    for (const projection of projections) {
      const sum = new CollectionChecksum();
      const table = tableFor(projection.collection);
      if (tableExists(db, table)) {
        for (const row of db.prepare(`SELECT id, workspace_id, doc FROM ${table} ORDER BY id`).iterate() as IterableIterator<DocRow>) {
          sum.add(row.id, row.workspace_id, row.doc);
        }
      }
      sums.set(projection.collection, { checksum: sum.digest(), documents: sum.count });
    }
    return readModelChecksum(sums);
  })();

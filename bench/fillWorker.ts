/**
 * Worker thread of the bulk fill: answers each { first, count } with that range's rows (see
 * ./sessionRows.ts), packed into one string (fields joined by U+0001, rows by U+0002; JSON escapes
 * both), which crosses threads far cheaper than thousands of small strings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { catalogState, sessionRows, type CatalogEntries } from './sessionRows.js';
import type { BenchCatalog } from './workload.js';

const { catalog, entries, occurredAt } = workerData as { catalog: BenchCatalog; entries: CatalogEntries; occurredAt: string };
const state = catalogState(entries);

parentPort!.on('message', ({ first, count }: { first: number; count: number }) => {
  parentPort!.postMessage(
    sessionRows(catalog, state, first, count, occurredAt)
      .map((row) => row.join('\u0001'))
      .join('\u0002'),
  );
});

/**
 * Worker thread of a parallel rebuild (see ./sqliteRebuild.ts): computes ranges of the log
 * (./rebuildRanges.ts) on its own read-only connection while the main thread writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { ProjectionRegistry } from '../../projections/ports.js';
import { rangeComputer, type RangeReply, type RangeRequest, type RangeSetup } from './rebuildRanges.js';

export interface RebuildWorkerData extends RangeSetup {
  path: string;
  /** URL of the projections registry module (see SqliteRebuildSettings.registry). */
  registry: string;
}

const port = parentPort;
if (!port) throw new Error('rebuildWorker runs as a worker thread');
const data = workerData as RebuildWorkerData;
// Listening at once: requests that arrive while the registry loads wait on it, in order.
const computer = import(data.registry).then((registry: ProjectionRegistry) =>
  rangeComputer(new Database(data.path, { readonly: true, fileMustExist: true }), data, registry),
);

const reply = (request: RangeRequest, compute: (request: RangeRequest) => RangeReply): void => {
  let result: RangeReply;
  try {
    result = compute(request);
  } catch (error) {
    result = { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(result, 'buffer' in result ? [result.buffer] : []);
};

port.on('message', (request: RangeRequest) => {
  computer.then(
    (compute) => {
      reply(request, compute);
    },
    (error: unknown) => {
      reply(request, () => {
        throw error;
      });
    },
  );
});

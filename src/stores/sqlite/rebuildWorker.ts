/**
 * Worker thread of a parallel rebuild (see ./sqliteRebuild.ts): computes ranges of the log
 * (./rebuildRanges.ts) on its own read-only connection while the main thread writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { rangeComputer, type RangeReply, type RangeRequest, type RangeSetup } from './rebuildRanges.js';

export interface RebuildWorkerData extends RangeSetup {
  path: string;
}

const port = parentPort;
if (!port) throw new Error('rebuildWorker runs as a worker thread');
const data = workerData as RebuildWorkerData;
const compute = rangeComputer(new Database(data.path, { readonly: true, fileMustExist: true }), data);

port.on('message', (request: RangeRequest) => {
  let reply: RangeReply;
  try {
    reply = compute(request);
  } catch (error) {
    reply = { seq: request.seq, error: error instanceof Error ? error.message : String(error) };
  }
  port.postMessage(reply, 'buffer' in reply ? [reply.buffer] : []);
});

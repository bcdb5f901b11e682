/**
 * Builds a large log fast, not through HTTP: N SessionCreated events decided by the real decider
 * against the workspace's catalog, written as the rows EventStore.append writes and with the
 * documents the sessions projection makes, in big transactions. Worker threads make the rows
 * while this thread writes. The projections' checkpoints are then moved to the
 * head through ReadModelStore.apply, so the API starts with nothing to catch up.
 */
import { Worker } from 'node:worker_threads';
import { loadCatalog } from '../src/commands/loadCatalog.js';
import { allProjections } from '../src/projections/index.js';
import { sessionView } from '../src/projections/sessionView.js';
import type { StoredEvent } from '../src/stores/eventStore.js';
import { sqliteDatabasePath } from '../src/profiles/embedded.js';
import { createCollectionTable, SqliteStore, tableFor } from '../src/stores/sqlite/sqliteStore.js';
import type { CatalogEntries } from './sessionRows.js';
import type { BenchCatalog } from './workload.js';

const chunkSize = 5_000;

export interface FillResult {
  sessions: number;
  seconds: number;
}

/** Appends `count` sessions to the workspace of `catalog` in the embedded store under `dataDir`. */
export const fillSessions = async (
  dataDir: string,
  catalog: BenchCatalog,
  count: number,
  onProgress?: (done: number) => void,
): Promise<FillResult> => {
  const started = performance.now();
  const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
  // Bench set-up only: no fsyncs during the bulk load, and a large page cache. The API reopens
  // the file with synchronous=FULL as always.
  store.db.pragma('synchronous = OFF');
  store.db.pragma('cache_size = -262144');
  const { workspaceId } = catalog;
  const state = await loadCatalog(store, workspaceId, {
    clientIds: catalog.clientIds,
    serviceIds: catalog.serviceIds,
    staffIds: catalog.staffIds,
  });
  const entries: CatalogEntries = {
    workspace: state.workspaces.get(workspaceId)!,
    clients: [...state.clients.values()],
    services: [...state.services.values()],
    staff: [...state.staff.values()],
  };
  // Two row makers: making the rows (deciding, JSON) costs more than writing them.
  const workers = Array.from(
    { length: 2 },
    () =>
      new Worker(new URL('./fillWorker.js', import.meta.url), { workerData: { catalog, entries, occurredAt: new Date().toISOString() } }),
  );
  // Each worker answers its requests in order. (No Promise.race with a promise that never settles:
  // it would keep every answered chunk reachable.)
  const pending = workers.map(() => [] as { resolve: (rows: string[][]) => void; reject: (error: unknown) => void }[]);
  let failure: Error | undefined;
  workers.forEach((worker, i) => {
    worker.on('message', (packed: string) => pending[i]!.shift()?.resolve(packed.split('\u0002').map((row) => row.split('\u0001'))));
    worker.on('error', (error) => {
      failure = error;
      pending[i]!.splice(0).forEach((p) => {
        p.reject(error);
      });
    });
  });
  // Chunk k is made by worker k % 2.
  const request = (first: number): Promise<string[][]> => {
    const i = (first / chunkSize) % workers.length;
    return new Promise<string[][]>((resolve, reject) => {
      if (failure !== undefined) {
        reject(failure);
        return;
      }
      pending[i]!.push({ resolve, reject });
      workers[i]!.postMessage({ first, count: Math.min(chunkSize, count - first) });
    });
  };
  try {
    // The rows EventStore.append and the sessions projection write, in one transaction per chunk.
    const insertEvent = store.db.prepare(
      `INSERT INTO events (stream_id, revision, event_id, type, schema_version, workspace_id, data, metadata)
       VALUES (?, 0, ?, ?, ?, ?, ?, ?)`,
    );
    createCollectionTable(store.db, tableFor(sessionView.collection));
    const insertDocument = store.db.prepare(
      `INSERT INTO ${tableFor(sessionView.collection)} (id, workspace_id, doc, position) VALUES (?, ?, ?, ?)`,
    );
    const toEvent = ([streamId, , type, , data, metadata]: string[], position: number): StoredEvent => ({
      streamId: streamId!,
      revision: 0n,
      position: BigInt(position),
      type: type!,
      data: JSON.parse(data!),
      metadata: JSON.parse(metadata!),
    });
    // The workspace's bounds (longest session) are a document of the sessions view too: the event
    // of the longest session is applied through the port at the end, which raises them to it.
    let longest: { minutes: number; event: StoredEvent } | undefined;
    const writeChunk = store.db.transaction((rows: string[][]): StoredEvent => {
      let position = 0;
      for (const row of rows) {
        const [streamId, eventId, type, version, data, metadata, docId, doc, minutes] = row;
        position = Number(insertEvent.run(streamId!, eventId!, type!, Number(version), workspaceId, data!, metadata!).lastInsertRowid);
        insertDocument.run(docId!, workspaceId, doc!, position);
        if (longest === undefined || Number(minutes) > longest.minutes)
          longest = { minutes: Number(minutes), event: toEvent(row, position) };
      }
      return toEvent(rows[rows.length - 1]!, position);
    });
    let last: StoredEvent | undefined;
    const ahead: Promise<string[][]>[] = [];
    let requested = 0;
    const requestAhead = () => {
      while (requested < count && ahead.length < workers.length) {
        ahead.push(request(requested));
        requested += Math.min(chunkSize, count - requested);
      }
    };
    requestAhead();
    for (let done = 0; done < count;) {
      const rows = await ahead.shift()!;
      requestAhead();
      last = writeChunk(rows);
      done += rows.length;
      onProgress?.(done);
    }
    // Every projection's checkpoint to the head, through the port: re-applying the last event
    // changes no session (its position is already recorded) and moves every checkpoint.
    if (last) await store.apply(allProjections, longest && longest.event.position < last.position ? [longest.event, last] : [last]);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
    await store.close();
  }
  return { sessions: count, seconds: (performance.now() - started) / 1000 };
};

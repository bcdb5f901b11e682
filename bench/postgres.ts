/**
 * `npm run bench -- --profile postgres`: the PostgreSQL profile's figures next to the SQLite
 * profile's, in the same run on this machine (POSTGRES_URL names the server; each measurement
 * gets a database of its own, dropped afterwards).
 *
 *  - api: creates through HTTP, the API process (`node dist/main.js`, in-process projector) on
 *    the PostgreSQL profile (synchronous_commit as the server has it, on by default) and on the
 *    embedded SQLite store (group commit on): requests/s and their ratio;
 *  - list: keyset-paged `ReadModelStore.query` pages (50 documents, a declared (workspace, date)
 *    index) on both read models: pages/s and their ratio (the API has no list endpoint yet);
 *  - rebuild: a log of N events written into PostgreSQL, then the blue/green rebuild of every
 *    read model (src/projections/rebuild.ts): events/s.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { allProjections } from '../src/projections/index.js';
import type { Projection } from '../src/projections/projection.js';
import { rebuild } from '../src/projections/rebuild.js';
import type { StoredEvent } from '../src/stores/eventStore.js';
import { PostgresDatabase } from '../src/stores/postgres/database.js';
import { PostgresEventStore } from '../src/stores/postgres/postgresEventStore.js';
import { PostgresReadModel } from '../src/stores/postgres/postgresReadModel.js';
import { postgresRebuildable } from '../src/stores/postgres/postgresRebuild.js';
import type { ReadModelStore } from '../src/stores/readModel.js';
import { SqliteStore } from '../src/stores/sqlite/sqliteStore.js';
import { startApi, type RunningApi } from './api.js';
import { runLoad, type LoadResult } from './load.js';
import type { BenchOptions } from './options.js';
import { catalogState, sessionRows, type CatalogEntries } from './sessionRows.js';
import { seedCatalog, sessionBody, type BenchCatalog } from './workload.js';
import { loadCatalog } from '../src/commands/loadCatalog.js';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};
const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

const adminQuery = async (url: string, sql: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
};

const withDatabase = async <T>(serverUrl: string, work: (url: string) => Promise<T>): Promise<T> => {
  const name = `sessions_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${name}`;
  try {
    return await work(parsed.toString());
  } finally {
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
};

const loadCreates = (options: BenchOptions, api: RunningApi, catalog: BenchCatalog): Promise<LoadResult> =>
  runLoad({
    url: api.url,
    serverPid: api.child.pid,
    path: `/v1/workspace/${catalog.workspaceId}/sessions`,
    connections: options.connections,
    duration: options.duration,
    warmup: options.warmup,
    request: (n) => ({ body: JSON.stringify(sessionBody(catalog, n)), token: catalog.tokens[n % catalog.tokens.length]! }),
  });

interface CreatesResult extends LoadResult {
  sessionsInLog: number;
}

const createsOnPostgres = (options: BenchOptions, serverUrl: string): Promise<CreatesResult> =>
  withDatabase(serverUrl, async (url) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bench-pg-'));
    try {
      const api = await startApi({
        dataDir,
        groupCommit: true,
        logLevel: options.logLevel,
        env: {
          EVENT_STORE: 'postgres',
          READ_STORE: 'postgres',
          POSTGRES_URL: url,
          POSTGRES_POOL_MAX: String(Math.min(options.connections, 20)),
        },
      });
      let result: LoadResult;
      try {
        const catalog = await seedCatalog(api.url);
        result = await loadCreates(options, api, catalog);
      } finally {
        await api.stop();
      }
      const db = new PostgresDatabase({ url });
      try {
        const { rows } = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM events WHERE type = 'SessionCreated'");
        return { ...result, sessionsInLog: Number(rows[0]!.n) };
      } finally {
        await db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

const createsOnSqlite = async (options: BenchOptions): Promise<CreatesResult> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bench-sqlite-'));
  try {
    const api = await startApi({ dataDir, groupCommit: true, logLevel: options.logLevel });
    let result: LoadResult;
    try {
      const catalog = await seedCatalog(api.url);
      result = await loadCreates(options, api, catalog);
    } finally {
      await api.stop();
    }
    const store = new SqliteStore({ path: path.join(dataDir, 'sessions.db') });
    try {
      const row = store.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'SessionCreated'").get() as { n: number };
      return { ...result, sessionsInLog: row.n };
    } finally {
      await store.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

/** A bench-only projection over session-like documents, with the index a "sessions by date" list needs. */
const listProjection: Projection = {
  name: 'bench_list',
  collection: 'bench_list',
  handles: ['BenchDocumentWritten'],
  indexes: [{ name: 'by_date', fields: ['date'] }],
  documents: (event) => ({ workspaceId: event.metadata.workspaceId, ids: [(event.data as { id: string }).id] }),
  evolve: (_current, event) => event.data as never,
};

const listDocuments = (workspaceId: string, count: number): StoredEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    streamId: `bench-${i}`,
    revision: 0n,
    position: BigInt(i + 1),
    type: 'BenchDocumentWritten',
    data: {
      id: `doc${String(i).padStart(8, '0')}`,
      workspaceId,
      name: `Session ${i}`,
      date: `2024-${String(1 + (i % 12)).padStart(2, '0')}-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00.000Z`,
      status: i % 3 === 0 ? 'completed' : 'scheduled',
      serviceNames: ['Consultation', 'Checkup'],
    },
    metadata: {
      eventId: randomUUID(),
      occurredAt: '2024-01-01T00:00:00.000Z',
      actor: { userId: 'bench' },
      workspaceId,
      requestId: 'r',
      correlationId: 'c',
      schemaVersion: 1,
    },
  }));

/** Walks the documents page by page (50 per page, by date) for `seconds`; pages per second. */
const pagesPerSecond = async (readModel: ReadModelStore, workspaceId: string, seconds: number): Promise<number> => {
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let pages = 0;
  let after: { value: string | number | boolean | null; id: string } | null = null;
  while (performance.now() < deadline) {
    const page = await readModel.query(listProjection.collection, workspaceId, { orderBy: 'date', limit: 50, ...(after ? { after } : {}) });
    pages += 1;
    after = page.next;
  }
  return Math.round(pages / ((performance.now() - started) / 1000));
};

const listQueries = async (options: BenchOptions, serverUrl: string, documents: number) => {
  const workspaceId = 'benchworkspace';
  const events = listDocuments(workspaceId, documents);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bench-list-'));
  let sqlite: number;
  const store = new SqliteStore({ path: path.join(dir, 'list.db'), projections: [listProjection] });
  try {
    for (let i = 0; i < events.length; i += 1000) await store.apply([listProjection], events.slice(i, i + 1000));
    await pagesPerSecond(store, workspaceId, 1);
    sqlite = await pagesPerSecond(store, workspaceId, options.duration);
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const postgres = await withDatabase(serverUrl, async (url) => {
    const db = new PostgresDatabase({ url });
    try {
      await db.migrate();
      const readModel = new PostgresReadModel(db, { projections: [listProjection] });
      for (let i = 0; i < events.length; i += 1000) await readModel.apply([listProjection], events.slice(i, i + 1000));
      await db.query('ANALYZE');
      await pagesPerSecond(readModel, workspaceId, 1);
      return await pagesPerSecond(readModel, workspaceId, options.duration);
    } finally {
      await db.close();
    }
  });
  return { documents, pageSize: 50, sqlitePagesPerSec: sqlite, postgresPagesPerSec: postgres, ratio: round(postgres / sqlite, 3) };
};

/** Writes the bench catalog (through HTTP) and `sessions` SessionCreated events (through sessions_append, 1,000 streams a call). */
export const fillPostgres = async (url: string, sessions: number, logLevel: string): Promise<{ events: number; seconds: number }> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bench-pgfill-'));
  const api = await startApi({
    dataDir,
    groupCommit: true,
    logLevel,
    env: { EVENT_STORE: 'postgres', READ_STORE: 'postgres', POSTGRES_URL: url },
  });
  let catalog: BenchCatalog;
  try {
    catalog = await seedCatalog(api.url);
  } finally {
    await api.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const started = performance.now();
  const db = new PostgresDatabase({ url, poolMax: 4 });
  try {
    const events = new PostgresEventStore(db);
    const state = await loadCatalog(new PostgresReadModel(db, { projections: allProjections }), catalog.workspaceId, {
      clientIds: catalog.clientIds,
      serviceIds: catalog.serviceIds,
      staffIds: catalog.staffIds,
    });
    const entries: CatalogEntries = {
      workspace: state.workspaces.get(catalog.workspaceId)!,
      clients: [...state.clients.values()],
      services: [...state.services.values()],
      staff: [...state.staff.values()],
    };
    const occurredAt = new Date().toISOString();
    const chunk = 1000;
    const inFlight: Promise<unknown>[] = [];
    for (let first = 0; first < sessions; first += chunk) {
      const rows = sessionRows(catalog, catalogState(entries), first, Math.min(chunk, sessions - first), occurredAt);
      const payload = `[${rows.map(([streamId, , type, , data, metadata]) => `{"streamId":${JSON.stringify(streamId)},"expected":"no_stream","events":[{"type":${JSON.stringify(type)},"data":${data},"metadata":${metadata}}]}`).join(',')}]`;
      inFlight.push(db.query('SELECT sessions_append($1::json)', [payload]));
      if (inFlight.length >= 3) await inFlight.shift();
    }
    await Promise.all(inFlight);
    const head = await events.headPosition();
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    if (head === null) throw new Error('the bench log is empty');
    return { events: Number(rows[0]!.n), seconds: round((performance.now() - started) / 1000, 1) };
  } finally {
    await db.close();
  }
};

const rebuildOnPostgres = (options: BenchOptions, serverUrl: string) =>
  withDatabase(serverUrl, async (url) => {
    const fill = await fillPostgres(url, Math.max(0, options.events - 131), 'silent');
    say(`postgres rebuild: ${fill.events.toLocaleString('en')} events written in ${fill.seconds} s`);
    const db = new PostgresDatabase({ url });
    try {
      const events = new PostgresEventStore(db);
      const readModel = new PostgresReadModel(db, { projections: allProjections });
      const started = performance.now();
      const result = await rebuild({ store: { events, readModel: postgresRebuildable(readModel, events, url) }, pageSize: 1000 });
      const seconds = (performance.now() - started) / 1000;
      return {
        events: result.applied,
        seconds: round(seconds),
        eventsPerSec: Math.round(result.applied / seconds),
        switched: result.switched,
        buildSeconds: fill.seconds,
      };
    } finally {
      await db.close();
    }
  });

export const runPostgresBench = async (
  options: BenchOptions,
  wants: (phase: string) => boolean,
): Promise<{ summary: Record<string, unknown>; failures: string[] }> => {
  const serverUrl = process.env.POSTGRES_URL?.trim();
  if (!serverUrl) throw new Error("--profile postgres needs POSTGRES_URL (e.g. 'postgres://postgres@127.0.0.1:5432/postgres')");
  const failures: string[] = [];
  const summary: Record<string, unknown> = { profile: 'postgres' };
  const describe = (name: string, s: CreatesResult) =>
    `${name.padEnd(28)} ${String(s.requestsPerSec).padStart(7)} req/s   p50 ${String(s.latencyMs.p50).padStart(4)} ms   p99 ${String(s.latencyMs.p99).padStart(4)} ms   errors ${s.errors}   non-2xx ${s.non2xx}`;
  if (wants('api')) {
    const sqlite = await createsOnSqlite(options);
    say(describe('creates, SQLite profile', sqlite));
    const postgres = await createsOnPostgres(options, serverUrl);
    say(describe('creates, PostgreSQL profile', postgres));
    const ratio = round(postgres.requestsPerSec / sqlite.requestsPerSec, 3);
    say(`creates PostgreSQL / SQLite:  ${ratio}   (target >= 0.5)`);
    for (const [name, s] of [
      ['sqlite', sqlite],
      ['postgres', postgres],
    ] as const) {
      if (s.errors + s.timeouts + s.non2xx > 0)
        failures.push(`${name} creates: ${s.errors} errors, ${s.timeouts} timeouts, ${s.non2xx} non-2xx`);
      if (s.sessionsInLog < s.created || s.sessionsInLog > s.created + 2 * options.connections)
        failures.push(`${name}: ${s.created} answered 201 but ${s.sessionsInLog} in the log`);
    }
    Object.assign(summary, { createsSqlite: sqlite, createsPostgres: postgres, createsRatio: ratio });
  }
  if (wants('list')) {
    const list = await listQueries(options, serverUrl, options.smoke ? 2_000 : 50_000);
    say(
      `list pages (50 by date, ${list.documents.toLocaleString('en')} docs): SQLite ${list.sqlitePagesPerSec}/s, PostgreSQL ${list.postgresPagesPerSec}/s, ratio ${list.ratio}`,
    );
    Object.assign(summary, { list });
  }
  if (wants('rebuild') && options.events > 0) {
    const result = await rebuildOnPostgres(options, serverUrl);
    say(
      `postgres rebuild: ${result.events.toLocaleString('en')} events in ${result.seconds} s = ${result.eventsPerSec.toLocaleString('en')} events/s`,
    );
    if (!result.switched) failures.push('postgres rebuild did not switch');
    Object.assign(summary, { rebuild: result });
  }
  return { summary, failures };
};

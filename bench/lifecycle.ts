/**
 * The `lifecycle` part of `npm run bench`: the list and calendar queries on a store of 10,000
 * sessions and on one of 1,000,000 (one staff member's week, one day of the whole workspace,
 * the first page at the default limit), and PATCH throughput against create throughput on the
 * same API in the same run. The sessions are written directly (./history.ts); the queries and
 * changes go through HTTP.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sqliteDatabasePath } from '../src/profiles/embedded.js';
import { SqliteStore } from '../src/stores/sqlite/sqliteStore.js';
import { startApi, type RunningApi } from './api.js';
import { fillSessions } from './history.js';
import { runLoad, type LoadResult } from './load.js';
import type { BenchOptions } from './options.js';
import { seedCatalog, sessionBody, type BenchCatalog } from './workload.js';

export interface ListScenario extends LoadResult {
  /** Sessions per answered page, on average over a sample of the queries the load sends. */
  documentsPerPage: number;
}

export interface StoreFigures {
  sessions: number;
  fillSeconds: number;
  staffWeek: ListScenario;
  workspaceDay: ListScenario;
}

export interface LifecycleResult {
  small: StoreFigures;
  large: StoreFigures;
  create: LoadResult;
  patch: LoadResult;
  ratios: { staffWeekLargeOverSmall: number | null; workspaceDayLargeOverSmall: number | null; patchOverCreate: number | null };
  targets: { listWithin20Percent: boolean; listP99AtMost20ms: boolean };
  failures: string[];
}

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const round = (value: number, digits = 3): number => Math.round(value * 10 ** digits) / 10 ** digits;

/** What the queries ask for: local days and staff members that sessions of the small store have (so both stores have them). */
export interface QueryPlan {
  days: string[];
  staffIds: string[];
}

const plusDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

type Query = (catalog: BenchCatalog, plan: QueryPlan, n: number) => string;
const queries: Record<'staffWeek' | 'workspaceDay', Query> = {
  staffWeek: (catalog, plan, n) => {
    const from = plan.days[n % plan.days.length]!;
    return `/v1/workspace/${catalog.workspaceId}/sessions?from=${from}&to=${plusDays(from, 7)}&staffId=${plan.staffIds[n % plan.staffIds.length]}`;
  },
  workspaceDay: (catalog, plan, n) => {
    const from = plan.days[n % plan.days.length]!;
    return `/v1/workspace/${catalog.workspaceId}/sessions?from=${from}&to=${plusDays(from, 1)}`;
  },
};

/** 28 sessions spread over the store: their local days and staff members. */
const planFrom = async (dataDir: string): Promise<QueryPlan> => {
  const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
  try {
    const count = (store.db.prepare('SELECT COUNT(*) AS n FROM rm_sessions').get() as { n: number }).n;
    const pick = store.db.prepare(
      "SELECT json_extract(doc, '$.date') AS date, json_extract(doc, '$.staffId') AS staffId FROM rm_sessions WHERE json_extract(doc, '$.staffId') IS NOT NULL ORDER BY id LIMIT 1 OFFSET ?",
    );
    const rows = Array.from({ length: 28 }, (_, i) => pick.get(Math.floor((i * count) / 40)) as { date: string; staffId: string });
    return { days: rows.map((r) => r.date.slice(0, 10)), staffIds: rows.map((r) => r.staffId) };
  } finally {
    await store.close();
  }
};

const documentsPerPage = async (api: RunningApi, catalog: BenchCatalog, plan: QueryPlan, query: Query): Promise<number> => {
  let total = 0;
  for (let n = 0; n < plan.days.length; n += 1) {
    const reply = await fetch(`${api.url}${query(catalog, plan, n)}`, { headers: { authorization: `Bearer ${catalog.tokens[0]}` } });
    if (reply.status !== 200) throw new Error(`GET ${query(catalog, plan, n)} answered ${reply.status}: ${await reply.text()}`);
    total += ((await reply.json()) as { sessions: unknown[] }).sessions.length;
  }
  return round(total / plan.days.length, 1);
};

const listLoad = async (
  options: BenchOptions,
  api: RunningApi,
  catalog: BenchCatalog,
  plan: QueryPlan,
  name: keyof typeof queries,
): Promise<ListScenario> => {
  const result = await runLoad({
    url: api.url,
    serverPid: api.child.pid,
    path: queries[name](catalog, plan, 0),
    connections: 10,
    duration: options.duration,
    warmup: options.warmup,
    request: (n) => ({ method: 'GET', path: queries[name](catalog, plan, n), token: catalog.tokens[n % catalog.tokens.length]! }),
  });
  return { ...result, documentsPerPage: await documentsPerPage(api, catalog, plan, queries[name]) };
};

/** Ids of scheduled sessions in the store (each PATCH of the load takes a fresh one at version 1). */
const scheduledIds = async (dataDir: string, limit: number): Promise<string[]> => {
  const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
  try {
    const rows = store.db.prepare("SELECT id FROM rm_sessions WHERE json_extract(doc, '$.status') = 'scheduled' LIMIT ?").all(limit) as {
      id: string;
    }[];
    return rows.map((r) => r.id);
  } finally {
    await store.close();
  }
};

const describeLoad = (name: string, s: LoadResult & { documentsPerPage?: number }): string =>
  `${name.padEnd(36)} ${String(s.requestsPerSec).padStart(7)} req/s   p50 ${String(s.latencyMs.p50).padStart(4)} ms   p99 ${String(s.latencyMs.p99).padStart(4)} ms   non-2xx ${s.non2xx}   errors ${s.errors}${
    s.documentsPerPage === undefined ? '' : `   ${s.documentsPerPage} sessions/page`
  }   server CPU ${s.serverCpuUsPerRequest ?? '?'} µs/req`;

/** One store of `sessions` sessions: the two list loads; on the small one also create, then PATCH. */
const measureStore = async (
  options: BenchOptions,
  seeded: { dataDir: string; catalog: BenchCatalog },
  label: string,
  sessions: number,
  given: QueryPlan | null,
) => {
  const writes = given === null;
  const { catalog } = seeded;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `sessions-bench-${label.replace(/\W+/g, '-')}-`));
  try {
    fs.cpSync(seeded.dataDir, dataDir, { recursive: true });
    say(`${label}: writing ${sessions.toLocaleString('en')} sessions directly (not through HTTP)…`);
    const fill = await fillSessions(dataDir, catalog, sessions);
    const plan = given ?? (await planFrom(dataDir));
    // Enough fresh sessions for every PATCH the load can send (about 1,000/s at most here).
    const patchIds = writes ? await scheduledIds(dataDir, Math.min(sessions, 2_000 * (options.duration + options.warmup) + 1_000)) : [];
    const api = await startApi({
      dataDir,
      groupCommit: true,
      logLevel: options.logLevel,
      ...(options.apiEntry ? { entry: options.apiEntry } : {}),
    });
    try {
      const staffWeek = await listLoad(options, api, catalog, plan, 'staffWeek');
      say(describeLoad(`${label}: one staff member's week`, staffWeek));
      const workspaceDay = await listLoad(options, api, catalog, plan, 'workspaceDay');
      say(describeLoad(`${label}: one day of the workspace`, workspaceDay));
      const figures: StoreFigures = { sessions, fillSeconds: round(fill.seconds, 1), staffWeek, workspaceDay };
      if (!writes) return { figures, plan };
      const common = {
        url: api.url,
        serverPid: api.child.pid,
        connections: options.connections,
        duration: options.duration,
        warmup: options.warmup,
      };
      const create = await runLoad({
        ...common,
        path: `/v1/workspace/${catalog.workspaceId}/sessions`,
        request: (n) => ({ body: JSON.stringify(sessionBody(catalog, n)), token: catalog.tokens[n % catalog.tokens.length]! }),
      });
      say(describeLoad(`${label}: POST /sessions`, create));
      const patch = await runLoad({
        ...common,
        path: `/v1/workspace/${catalog.workspaceId}/sessions/${patchIds[0]}`,
        request: (n) => {
          if (n >= patchIds.length) throw new Error(`the PATCH load needs more than ${patchIds.length} fresh sessions`);
          return {
            method: 'PATCH',
            path: `/v1/workspace/${catalog.workspaceId}/sessions/${patchIds[n]}`,
            headers: { 'if-match': '"1"' },
            // Each moved session gets a day of its own: a staff member cannot be booked twice at once.
            body: JSON.stringify({
              date: new Date(Date.UTC(2090, 0, 1) + n * 86_400_000).toISOString().slice(0, 10),
              startTime: `${String(7 + (n % 12)).padStart(2, '0')}:${n % 2 ? '30' : '45'}`,
              name: `Moved ${n}`,
              reason: 'bench',
            }),
            token: catalog.tokens[n % catalog.tokens.length]!,
          };
        },
      });
      say(describeLoad(`${label}: PATCH /sessions/:id`, patch));
      return { figures, plan, create, patch };
    } finally {
      await api.stop();
    }
  } finally {
    if (!options.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

export const runLifecycle = async (options: BenchOptions): Promise<LifecycleResult> => {
  // The smoke run's small store must hold a fresh session for every PATCH a quiet machine sends in 2 s.
  const [smallSize, largeSize] = [options.smoke ? 4_000 : 10_000, options.lifecycleSessions];
  // One catalog, seeded through HTTP once, copied under both stores.
  const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bench-lifecycle-seed-'));
  let small, large;
  try {
    const api = await startApi({
      dataDir: seedDir,
      groupCommit: true,
      logLevel: 'silent',
      ...(options.apiEntry ? { entry: options.apiEntry } : {}),
    });
    const catalog = await seedCatalog(api.url);
    await api.stop();
    const seeded = { dataDir: seedDir, catalog };
    small = await measureStore(options, seeded, `${smallSize} sessions`, smallSize, null);
    large = await measureStore(options, seeded, `${largeSize} sessions`, largeSize, small.plan);
  } finally {
    fs.rmSync(seedDir, { recursive: true, force: true });
  }
  const ratio = (a: number, b: number): number | null => (b > 0 ? round(a / b) : null);
  const ratios = {
    staffWeekLargeOverSmall: ratio(large.figures.staffWeek.requestsPerSec, small.figures.staffWeek.requestsPerSec),
    workspaceDayLargeOverSmall: ratio(large.figures.workspaceDay.requestsPerSec, small.figures.workspaceDay.requestsPerSec),
    patchOverCreate: ratio(small.patch!.requestsPerSec, small.create!.requestsPerSec),
  };
  const lists = [small.figures.staffWeek, small.figures.workspaceDay, large.figures.staffWeek, large.figures.workspaceDay];
  const targets = {
    listWithin20Percent: (ratios.staffWeekLargeOverSmall ?? 0) >= 0.8 && (ratios.workspaceDayLargeOverSmall ?? 0) >= 0.8,
    listP99AtMost20ms: lists.every((s) => s.latencyMs.p99 <= 20),
  };
  const failures: string[] = [];
  for (const [name, s] of [
    ['list (small)', small.figures.staffWeek],
    ['list (small)', small.figures.workspaceDay],
    ['list (large)', large.figures.staffWeek],
    ['list (large)', large.figures.workspaceDay],
    ['create', small.create!],
    ['patch', small.patch!],
  ] as const) {
    if (s.errors + s.timeouts + s.non2xx > 0)
      failures.push(`lifecycle ${name}: ${s.errors} errors, ${s.timeouts} timeouts, ${s.non2xx} non-2xx ${JSON.stringify(s.statusCodes)}`);
    if (!(s.requestsPerSec > 0)) failures.push(`lifecycle ${name}: no throughput`);
  }
  say('');
  say(`list, staff week, ${largeSize} / ${smallSize} sessions:   ${ratios.staffWeekLargeOverSmall}   (target >= 0.8)`);
  say(`list, workspace day, ${largeSize} / ${smallSize} sessions: ${ratios.workspaceDayLargeOverSmall}   (target >= 0.8)`);
  say(`list p99 at 10 connections: ${lists.map((s) => s.latencyMs.p99).join(', ')} ms   (target <= 20 ms)`);
  say(`PATCH / create throughput:  ${ratios.patchOverCreate}`);
  return { small: small.figures, large: large.figures, create: small.create!, patch: small.patch!, ratios, targets, failures };
};

/**
 * `npm run bench`: the service's performance figures in one run, on this machine.
 *
 *  1. bare Koa (same body parser) answering the same POST with a static 201: the HTTP ceiling;
 *  2. the API (`node dist/main.js`, embedded store, synchronous=FULL) under the same load, with
 *     group commit off (before) and on (after);
 *  3. the same load against a store already holding many sessions (cost per create vs history);
 *  4. a rebuild of the read models from a log of N events, in its own process;
 *  5. the session lifecycle: list queries on 10,000 vs 1,000,000 sessions, PATCH vs create;
 *  6. only when asked (--only ab): creates against another build and this one, side by side.
 *
 * Human-readable lines go to stderr; the last stdout line is the JSON summary.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { countSessions, repoRoot, startApi, type RunningApi } from './api.js';
import { fillSessions } from './history.js';
import { runLifecycle, type LifecycleResult } from './lifecycle.js';
import { runLoad, type LoadResult } from './load.js';
import { parseOptions, type BenchOptions } from './options.js';
import { firstJsonLine, lastJsonLine, peakRssMiB, spawnChild, stopChild } from './processes.js';
import { allPermissions, signToken } from '../src/auth/tokens.js';
import { benchJwt, catalogSize, seedCatalog, sessionBody, type BenchCatalog } from './workload.js';
import { runRename, type RenameResult } from './rename.js';
import { runPostgresBench } from './postgres.js';
import { runAb, type AbResult } from './ab.js';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

interface Scenario extends LoadResult {
  peakRssMiB: number | null;
}

interface ApiScenario extends Scenario {
  groupCommit: boolean;
  /** Sessions found in the event log after the run, and 201s answered: must be equal. */
  sessionsInLog: number;
  existingSessions: number;
}

interface RebuildResult {
  events: number;
  seconds: number;
  eventsPerSec: number;
  peakRssMiB: number | null;
  function: string;
  buildSeconds: number;
}

const entryOf = (options: BenchOptions): { entry?: string } => (options.apiEntry ? { entry: options.apiEntry } : {});

const sessionPath = (catalog: BenchCatalog): string => `/v1/workspace/${catalog.workspaceId}/sessions`;

const loadFor = (options: BenchOptions, url: string, catalog: BenchCatalog, serverPid: number) =>
  runLoad({
    url,
    serverPid,
    path: sessionPath(catalog),
    connections: options.connections,
    duration: options.duration,
    warmup: options.warmup,
    request: (n) => ({ body: JSON.stringify(sessionBody(catalog, n)), token: catalog.tokens[n % catalog.tokens.length]! }),
  });

const describe = (name: string, s: Scenario): string =>
  `${name.padEnd(28)} ${String(s.requestsPerSec).padStart(7)} req/s   p50 ${String(s.latencyMs.p50).padStart(4)} ms   p99 ${String(
    s.latencyMs.p99,
  ).padStart(
    4,
  )} ms   errors ${s.errors}   non-2xx ${s.non2xx}   timeouts ${s.timeouts}   peak RSS ${s.peakRssMiB ?? '?'} MiB   server CPU ${s.serverCpuUsPerRequest ?? '?'} µs/req   other CPU ${
    s.otherCpuSec ?? '?'
  } s`;

const tempDir = (label: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `sessions-bench-${label}-`));

const runBare = async (options: BenchOptions, catalog: BenchCatalog): Promise<Scenario> => {
  const child = spawnChild(process.execPath, [path.join(import.meta.dirname, 'bareKoa.js')], {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
  });
  try {
    const { port } = await firstJsonLine<{ port: number }>(child, 20_000);
    const result = await loadFor(options, `http://127.0.0.1:${port}`, catalog, child.pid);
    return { ...result, peakRssMiB: peakRssMiB(child.pid) };
  } finally {
    await stopChild(child);
  }
};

const loadApi = async (
  options: BenchOptions,
  dataDir: string,
  catalog: BenchCatalog,
  api: RunningApi,
  groupCommit: boolean,
  existingSessions: number,
): Promise<ApiScenario> => {
  let result: LoadResult;
  try {
    result = await loadFor(options, api.url, catalog, api.child.pid);
  } catch (error) {
    await api.stop();
    throw error;
  }
  const stopped = await api.stop();
  if (stopped.exitCode !== 0) throw new Error(`the API exited with ${stopped.exitCode}:\n${api.child.stderr.join('\n')}`);
  const sessionsInLog = (await countSessions(dataDir)) - existingSessions;
  return { ...result, peakRssMiB: stopped.peakRssMiB, groupCommit, sessionsInLog, existingSessions };
};

/** A fresh store, its catalog seeded through HTTP, then the load. */
const runApi = async (options: BenchOptions, groupCommit: boolean, cpuProfDir?: string): Promise<ApiScenario> => {
  const dataDir = tempDir(groupCommit ? 'gc-on' : 'gc-off');
  try {
    const api = await startApi({
      dataDir,
      groupCommit,
      logLevel: options.logLevel,
      ...(cpuProfDir ? { cpuProfDir } : {}),
      ...entryOf(options),
    });
    if (cpuProfDir)
      say(`${groupCommit ? 'group commit on' : 'group commit off'}: CPU profile of API process ${api.child.pid} goes to ${cpuProfDir}`);
    const catalog = await seedCatalog(api.url);
    return await loadApi(options, dataDir, catalog, api, groupCommit, 0);
  } finally {
    if (!options.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

/** A store under a temp dir with the bench catalog (seeded through HTTP) and `sessions` sessions written directly. */
const buildLargeStore = async (options: BenchOptions, label: string, sessions: number) => {
  const dataDir = tempDir(label);
  const api = await startApi({ dataDir, groupCommit: true, logLevel: 'silent', ...entryOf(options) });
  const catalog = await seedCatalog(api.url);
  await api.stop();
  const catalogEvents = 1 + catalog.clientIds.length + catalog.serviceIds.length + catalog.staffIds.length;
  say(`${label}: writing ${sessions.toLocaleString('en')} sessions directly (not through HTTP)…`);
  const fill = await fillSessions(dataDir, catalog, sessions);
  say(`${label}: ${(catalogEvents + sessions).toLocaleString('en')} events written in ${round(fill.seconds, 1)} s`);
  return { dataDir, catalog, events: catalogEvents + sessions, fillSeconds: round(fill.seconds, 1) };
};

/** Rebuilds every read model of the store in `dataDir` in a child process (its peak RSS is its own). */
const rebuildIn = async (dataDir: string, fillSeconds: number): Promise<RebuildResult> => {
  const child = spawnChild(process.execPath, [path.join(import.meta.dirname, 'rebuildChild.js'), dataDir], {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
  });
  const result = await lastJsonLine<Omit<RebuildResult, 'buildSeconds'>>(child);
  return { ...result, buildSeconds: fillSeconds };
};

/**
 * The history check: the load against a store that already holds `options.history` sessions.
 * When `rebuildToo` is set, the rebuild is measured on the same log first (so the API then serves
 * the rebuilt read model), which saves building a second large log.
 */
const runHistory = async (
  options: BenchOptions,
  rebuildToo: boolean,
): Promise<{ history: ApiScenario & { fillSeconds: number }; rebuild?: RebuildResult }> => {
  const large = await buildLargeStore(options, 'history', options.history);
  try {
    const rebuild = rebuildToo ? await rebuildIn(large.dataDir, large.fillSeconds) : undefined;
    if (rebuild) say(describeRebuild(rebuild));
    const api = await startApi({
      dataDir: large.dataDir,
      groupCommit: true,
      logLevel: options.logLevel,
      ...entryOf(options),
      ...(options.cpuProf ? { cpuProfDir: options.cpuProf } : {}),
    });
    if (options.cpuProf) say(`history: CPU profile of API process ${api.child.pid} goes to ${options.cpuProf}`);
    const scenario = await loadApi(options, large.dataDir, large.catalog, api, true, options.history);
    return { history: { ...scenario, fillSeconds: large.fillSeconds }, ...(rebuild ? { rebuild } : {}) };
  } finally {
    if (!options.keep) fs.rmSync(large.dataDir, { recursive: true, force: true });
  }
};

/** The rebuild on a log of exactly `options.events` events (catalog included). */
const runRebuild = async (options: BenchOptions): Promise<RebuildResult> => {
  const catalogEvents = 1 + catalogSize.clients + catalogSize.services + catalogSize.staff;
  const large = await buildLargeStore(options, 'rebuild', Math.max(0, options.events - catalogEvents));
  try {
    return await rebuildIn(large.dataDir, large.fillSeconds);
  } finally {
    if (!options.keep) fs.rmSync(large.dataDir, { recursive: true, force: true });
  }
};

const describeRebuild = (r: RebuildResult): string =>
  `rebuild: ${r.events.toLocaleString('en')} events in ${r.seconds} s = ${r.eventsPerSec.toLocaleString('en')} events/s, ` +
  `peak RSS ${r.peakRssMiB} MiB (${r.function})`;

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || b === 0 ? null : round(a / b, 3);

const main = async (): Promise<void> => {
  const options = parseOptions(process.argv.slice(2));
  // ab compares two builds: only run when named.
  const wants = (phase: string) => (options.only ? options.only.has(phase) : phase !== 'ab');
  const started = performance.now();
  const entry = path.resolve(repoRoot, options.apiEntry ?? path.join('dist', 'main.js'));
  if (!fs.existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
  if (options.profile === 'postgres') {
    say(
      `bench --profile postgres: ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s per scenario, rebuild ${options.events} events`,
    );
    const { summary, failures } = await runPostgresBench(options, wants);
    for (const failure of failures) say(`CHECK FAILED: ${failure}`);
    const totalSeconds = round((performance.now() - started) / 1000, 1);
    say(`bench finished in ${totalSeconds} s`);
    process.stdout.write(`${JSON.stringify({ ...summary, checks: { passed: failures.length === 0, failures }, totalSeconds })}\n`);
    process.exitCode = failures.length === 0 ? 0 : 1;
    return;
  }
  say(
    `bench: ${options.connections} connections, ${options.warmup} s warm-up + ${options.duration} s per scenario, ` +
      `history ${options.history}, rebuild ${options.events} events${options.smoke ? ' (smoke)' : ''}`,
  );
  // The bare server needs bodies of the same shape; any ids will do.
  const fakeCatalog: BenchCatalog = {
    workspaceId: '65a1b2c3d4e5f60718293a40',
    clientIds: Array.from({ length: 100 }, (_, i) => (0x65a1b2c3d4e5f607n * 0x100000000n + BigInt(i)).toString(16).padStart(24, '0')),
    serviceIds: Array.from({ length: 20 }, (_, i) => (0x65a1b2c3d4e5f608n * 0x100000000n + BigInt(i)).toString(16).padStart(24, '0')),
    staffIds: Array.from({ length: 10 }, (_, i) => (0x65a1b2c3d4e5f609n * 0x100000000n + BigInt(i)).toString(16).padStart(24, '0')),
    // Real tokens of the same size as the API's (the bare server does not check them).
    tokens: Array.from({ length: 10 }, (_, i) =>
      signToken(
        benchJwt,
        { sub: `bench-user-${i}`, name: `Reception ${i}`, workspaceId: '65a1b2c3d4e5f60718293a40', permissions: allPermissions },
        '2h',
      ),
    ),
  };

  const summary: Record<string, unknown> = {
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? null, node: process.version, platform: process.platform },
    options: {
      connections: options.connections,
      durationSec: options.duration,
      warmupSec: options.warmup,
      history: options.history,
      events: options.events,
      logLevel: options.logLevel,
      smoke: options.smoke,
    },
  };
  let bare: Scenario | undefined;
  let before: ApiScenario | undefined;
  let after: ApiScenario | undefined;
  let history: (ApiScenario & { fillSeconds: number }) | undefined;
  let rebuild: RebuildResult | undefined;
  let lifecycle: LifecycleResult | undefined;

  if (wants('bare')) {
    bare = await runBare(options, fakeCatalog);
    say(describe('bare Koa (ceiling)', bare));
  }
  if (wants('baseline') && options.baseline) {
    before = await runApi(options, false);
    say(describe('API, group commit off', before));
  }
  if (wants('api')) {
    after = await runApi(options, true, options.cpuProf);
    say(describe('API, group commit on', after));
  }
  const historyWanted = wants('history') && options.history > 0;
  const rebuildWanted = wants('rebuild') && options.events > 0;
  // Unless --events was given, the rebuild replays the history store's log: one large log, not two.
  const rebuildOnHistory = historyWanted && rebuildWanted && !options.eventsGiven;
  if (historyWanted) {
    const outcome = await runHistory(options, rebuildOnHistory);
    history = outcome.history;
    rebuild = outcome.rebuild;
    say(describe(`API, ${options.history} sessions before`, history));
  }
  if (rebuildWanted && !rebuildOnHistory) {
    rebuild = await runRebuild(options);
    say(describeRebuild(rebuild));
  }

  // One service rename reaching every session that books it (10,000; 1,000 in a smoke run).
  let rename: RenameResult | undefined;
  if (wants('rename')) {
    rename = await runRename(options.smoke ? 1000 : 10_000);
    say(
      `rename: one service rename reached ${rename.sessionsRenamed.toLocaleString('en')} of ${rename.sessions.toLocaleString('en')} sessions in ${rename.renameMs} ms (seeded in ${rename.seedSeconds} s)`,
    );
  }
  if (wants('lifecycle')) lifecycle = await runLifecycle(options);
  let ab: AbResult | undefined;
  if (wants('ab')) {
    if (!options.apiEntry) throw new Error('--only ab needs --api-entry: the build to compare this one (dist/main.js) with');
    ab = await runAb(options, options.apiEntry, path.join('dist', 'main.js'));
  }

  const ratios = {
    oursOverBare: ratio(after?.requestsPerSec, bare?.requestsPerSec),
    groupCommitOnOverOff: ratio(after?.requestsPerSec, before?.requestsPerSec),
    historyOverEmpty: ratio(history?.requestsPerSec, after?.requestsPerSec),
  };
  const targets = {
    oursOverBareAtLeast0_6: ratios.oursOverBare === null ? null : ratios.oursOverBare >= 0.6,
    p99AtMost25ms: after ? after.latencyMs.p99 <= 25 : null,
    rebuildAtLeast150kEventsPerSec: rebuild ? rebuild.eventsPerSec >= 150_000 : null,
    rebuildPeakRssAtMost250MiB: rebuild && rebuild.peakRssMiB !== null ? rebuild.peakRssMiB <= 250 : null,
    historyWithin10Percent: ratios.historyOverEmpty === null ? null : ratios.historyOverEmpty >= 0.9,
  };

  const failures: string[] = [];
  for (const [name, s] of [
    ['group commit off', before],
    ['group commit on', after],
    ['history', history],
  ] as const) {
    if (!s) continue;
    if (s.errors + s.timeouts + s.non2xx > 0) failures.push(`${name}: ${s.errors} errors, ${s.timeouts} timeouts, ${s.non2xx} non-2xx`);
    // Requests still in flight when autocannon stops (warm-up and run) are created but not counted.
    const inFlight = 2 * options.connections;
    if (s.sessionsInLog < s.created || s.sessionsInLog > s.created + inFlight) {
      failures.push(`${name}: ${s.created} sessions answered 201 but ${s.sessionsInLog} in the event log`);
    }
    if (!(s.requestsPerSec > 0)) failures.push(`${name}: no throughput`);
  }
  if (rename && rename.sessionsRenamed !== rename.sessions)
    failures.push(`rename: reached ${rename.sessionsRenamed} of ${rename.sessions} sessions`);
  failures.push(...(lifecycle?.failures ?? []), ...(ab?.failures ?? []));
  if (bare && (bare.non2xx > 0 || bare.errors > 0 || !(bare.requestsPerSec > 0))) failures.push('bare Koa: errors or no throughput');
  const expectedEvents = rebuildOnHistory
    ? 1 + catalogSize.clients + catalogSize.services + catalogSize.staff + options.history
    : options.events;
  if (rebuild && (rebuild.events !== expectedEvents || !(rebuild.eventsPerSec > 0))) {
    failures.push(`rebuild: replayed ${rebuild.events} events, expected ${expectedEvents}`);
  }

  say('');
  if (ratios.oursOverBare !== null) say(`ours / bare Koa:              ${ratios.oursOverBare}   (target >= 0.6)`);
  if (after) say(`p99 at ${options.connections} connections:      ${after.latencyMs.p99} ms   (target <= 25 ms)`);
  if (ratios.groupCommitOnOverOff !== null) say(`group commit on / off:        ${ratios.groupCommitOnOverOff}`);
  if (ratios.historyOverEmpty !== null) say(`with history / empty store:   ${ratios.historyOverEmpty}   (target >= 0.9)`);
  for (const failure of failures) say(`CHECK FAILED: ${failure}`);
  const totalSeconds = round((performance.now() - started) / 1000, 1);
  say(`bench finished in ${totalSeconds} s`);

  Object.assign(summary, {
    bare: bare ?? null,
    groupCommitOff: before ?? null,
    groupCommitOn: after ?? null,
    history: history ?? null,
    rebuild: rebuild ?? null,
    rename: rename ?? null,
    lifecycle: lifecycle ? { ...lifecycle, failures: undefined } : null,
    ab: ab ? { ...ab, failures: undefined } : null,
    ratios,
    targets,
    checks: { passed: failures.length === 0, failures },
    totalSeconds,
  });
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = failures.length === 0 ? 0 : 1;
};

main().catch((error: unknown) => {
  say(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.stdout.write(`${JSON.stringify({ checks: { passed: false, failures: [String(error)] } })}\n`);
  process.exit(1);
});

/**
 * The `ab` part of `npm run bench`: creates against two builds of the API in one run, A (the build
 * --api-entry names, e.g. main's compiled into another directory) and B (dist/main.js, this
 * tree), both running side by side on stores of their own, loaded in short alternating bursts
 * (A, B, B, A, A, B, ...). On a shared machine whatever else runs then weighs on both alike, so
 * the medians of server CPU per create compare the two builds where two separate runs would mostly
 * compare the machine's moments.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApi, type RunningApi } from './api.js';
import { runLoad, type LoadResult } from './load.js';
import type { BenchOptions } from './options.js';
import { seedCatalog, sessionBody, type BenchCatalog } from './workload.js';

export interface AbSide {
  entry: string;
  bursts: { serverCpuUsPerRequest: number | null; requestsPerSec: number; non2xx: number; errors: number }[];
  medianCpuUsPerRequest: number | null;
  medianRequestsPerSec: number;
}

export interface AbResult {
  burstSec: number;
  rounds: number;
  a: AbSide;
  b: AbSide;
  /** Median over rounds of B's CPU per create over A's (the round's two bursts are next to each other). */
  medianCpuBOverA: number | null;
  failures: string[];
}

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const median = (values: readonly number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Side {
  entry: string;
  dataDir: string;
  api: RunningApi;
  catalog: BenchCatalog;
  /** Bodies already sent: every burst continues the sequence, so no two creates are alike. */
  sent: number;
  results: LoadResult[];
}

const open = async (options: BenchOptions, entry: string, label: string): Promise<Side> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `sessions-bench-ab-${label}-`));
  const api = await startApi({ dataDir, groupCommit: true, logLevel: options.logLevel, entry });
  const catalog = await seedCatalog(api.url);
  return { entry, dataDir, api, catalog, sent: 0, results: [] };
};

const burst = async (options: BenchOptions, side: Side, seconds: number, warmup: number): Promise<LoadResult> =>
  runLoad({
    url: side.api.url,
    serverPid: side.api.child.pid,
    path: `/v1/workspace/${side.catalog.workspaceId}/sessions`,
    connections: options.connections,
    duration: seconds,
    warmup,
    request: () => {
      const n = side.sent++;
      return { body: JSON.stringify(sessionBody(side.catalog, n)), token: side.catalog.tokens[n % side.catalog.tokens.length]! };
    },
  });

const summary = (side: Side): AbSide => ({
  entry: side.entry,
  bursts: side.results.map((r) => ({
    serverCpuUsPerRequest: r.serverCpuUsPerRequest,
    requestsPerSec: r.requestsPerSec,
    non2xx: r.non2xx,
    errors: r.errors,
  })),
  medianCpuUsPerRequest: median(side.results.flatMap((r) => (r.serverCpuUsPerRequest === null ? [] : [r.serverCpuUsPerRequest]))),
  medianRequestsPerSec: median(side.results.map((r) => r.requestsPerSec)) ?? 0,
});

export const runAb = async (options: BenchOptions, entryA: string, entryB: string): Promise<AbResult> => {
  const burstSec = options.duration;
  const rounds = options.rounds;
  const a = await open(options, entryA, 'a');
  let b: Side | undefined;
  try {
    b = await open(options, entryB, 'b');
    say(`ab: A = ${entryA}, B = ${entryB}: ${rounds} rounds of one ${burstSec} s burst each (after ${options.warmup} s warm-up)`);
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round += 1) {
      // ABBA order: neither build always goes first.
      const order = round % 2 === 0 ? [a, b] : [b, a];
      for (const side of order) side.results.push(await burst(options, side, burstSec, round === 0 ? options.warmup : 0));
      const ra = a.results[round]!.serverCpuUsPerRequest;
      const rb = b.results[round]!.serverCpuUsPerRequest;
      if (ra !== null && rb !== null && ra > 0) ratios.push(rb / ra);
      say(
        `ab round ${round + 1}: A ${ra ?? '?'} µs/create ${a.results[round]!.requestsPerSec} req/s   B ${rb ?? '?'} µs/create ${b.results[round]!.requestsPerSec} req/s`,
      );
    }
    const failures = [a, b].flatMap((side, i) =>
      side.results.some((r) => r.non2xx + r.errors + r.timeouts > 0) ? [`ab: ${i === 0 ? 'A' : 'B'} answered errors or non-2xx`] : [],
    );
    const result: AbResult = {
      burstSec,
      rounds,
      a: summary(a),
      b: summary(b),
      medianCpuBOverA: median(ratios),
      failures,
    };
    say(
      `ab: A median ${result.a.medianCpuUsPerRequest} µs/create ${result.a.medianRequestsPerSec} req/s; ` +
        `B median ${result.b.medianCpuUsPerRequest} µs/create ${result.b.medianRequestsPerSec} req/s; B/A ${result.medianCpuBOverA?.toFixed(3) ?? '?'}`,
    );
    return result;
  } finally {
    for (const side of [a, b]) {
      if (!side) continue;
      await side.api.stop();
      if (!options.keep) fs.rmSync(side.dataDir, { recursive: true, force: true });
    }
  }
};

/**
 * Memory soak (issue 12): mixed creates, reads, large documents and refused bodies against the
 * API as production runs it, sampling its RSS. Passes when RSS at the end is within 15% of RSS
 * after the warm-up. Not part of `npm test` or `npm run bench`:
 *
 *   npm run -s build && npx tsc -p bench/tsconfig.json && node dist/.bench/bench/soak.js [--minutes 10] [--warmup-minutes 1] [--connections 20]
 *
 * Prints one line per sample and a JSON summary as its last line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startApi } from './api.js';
import { seedCatalog, sessionBody, type BenchCatalog } from './workload.js';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'warmup-minutes': { type: 'string', default: '1' },
    connections: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);
const warmupMinutes = Number(values['warmup-minutes']);
const connections = Number(values.connections);

const rssMiB = (pid: number): number => {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Math.round(Number(match[1]) / 1024) : NaN;
};

/** The largest session a client may create: 100 field values of 10,000 characters (~1 MB). */
const largeBody = (catalog: BenchCatalog, n: number): string =>
  JSON.stringify({
    ...sessionBody(catalog, n),
    fieldValues: Array.from({ length: 100 }, (_, i) => ({ fieldKey: `field${i}`, value: `${n}:`.padEnd(10_000, 'x') })),
  });

const refusedBodies = (catalog: BenchCatalog): string[] => [
  JSON.stringify({ ...sessionBody(catalog, 0), serviceIds: Array(200_000).fill('x') }),
  JSON.stringify({ ...sessionBody(catalog, 0), name: 'n'.repeat(900_000) }),
  `{"name":${'['.repeat(400_000)}${']'.repeat(400_000)}}`,
];

const main = async (): Promise<void> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-soak-'));
  const api = await startApi({ dataDir, groupCommit: true, logLevel: 'warn' });
  const pid = api.child.pid;
  const catalog = await seedCatalog(api.url);
  const sessions = `${api.url}/v1/workspace/${catalog.workspaceId}/sessions`;
  const refused = refusedBodies(catalog);
  const created: string[] = [];
  const counts: Record<string, number> = {};
  const count = (what: string) => (counts[what] = (counts[what] ?? 0) + 1);
  const started = Date.now();
  const endAt = started + minutes * 60_000;
  let n = 0;

  const one = async (): Promise<void> => {
    const i = n++;
    const token = catalog.tokens[i % catalog.tokens.length]!;
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const roll = i % 20;
    if (roll < 8 || created.length === 0) {
      const reply = await fetch(sessions, { method: 'POST', headers, body: JSON.stringify(sessionBody(catalog, i)) });
      const body = (await reply.json()) as { session?: { id: string } };
      if (reply.status === 201) created.push(body.session!.id);
      count(`create ${reply.status}`);
    } else if (roll < 16) {
      const id = created[Math.floor(Math.random() * created.length)]!;
      const reply = await fetch(`${sessions}/${id}`, { headers });
      await reply.arrayBuffer();
      count(`read ${reply.status}`);
    } else if (roll < 18) {
      const reply = await fetch(sessions, { method: 'POST', headers, body: largeBody(catalog, i) });
      const body = (await reply.json()) as { session?: { id: string } };
      if (reply.status === 201) created.push(body.session!.id);
      count(`large create ${reply.status}`);
    } else {
      const reply = await fetch(sessions, { method: 'POST', headers, body: refused[i % refused.length]! });
      await reply.arrayBuffer();
      count(`refused ${reply.status}`);
    }
  };

  const samples: { minute: number; rssMiB: number }[] = [];
  const sampler = setInterval(() => {
    const sample = { minute: Math.round((Date.now() - started) / 600) / 100, rssMiB: rssMiB(pid) };
    samples.push(sample);
    process.stdout.write(`${sample.minute.toFixed(2)} min  RSS ${sample.rssMiB} MiB  requests ${n}\n`);
  }, 10_000);

  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < endAt) await one();
    }),
  );
  clearInterval(sampler);
  const end = rssMiB(pid);
  // Let garbage collection settle once the load stops, as the issue measured it.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const idle = rssMiB(pid);
  const afterWarmup = samples.find((s) => s.minute >= warmupMinutes)?.rssMiB ?? samples[0]?.rssMiB ?? NaN;
  const { peakRssMiB } = await api.stop();
  if (!values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
  const summary = {
    minutes,
    warmupMinutes,
    connections,
    requests: n,
    counts,
    rssMiB: { afterWarmup, endOfLoad: end, tenSecondsIdle: idle, peak: peakRssMiB },
    endVsWarmup: Math.round((end / afterWarmup) * 1000) / 1000,
    withinFifteenPercent: end <= afterWarmup * 1.15,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

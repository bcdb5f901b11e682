/** Command-line options of `npm run bench`; `--smoke` swaps the defaults for a few-second CI run. */
import { parseArgs } from 'node:util';

export interface BenchOptions {
  smoke: boolean;
  /** Seconds of measured load per scenario. */
  duration: number;
  /** Seconds of unmeasured load before each measurement. */
  warmup: number;
  connections: number;
  /** Events in the log replayed by the rebuild measurement (0 skips it). */
  events: number;
  /** --events was given: the rebuild gets a log of its own instead of the history store's. */
  eventsGiven: boolean;
  /** Existing sessions for the history measurement (0 skips it). */
  history: number;
  /** Sessions in the lifecycle phase's large store (the small one holds 10,000). */
  lifecycleSessions: number;
  /** Also measure the store with group commit off (the "before"). */
  baseline: boolean;
  /** LOG_LEVEL of the API under load (production default: info). */
  logLevel: string;
  /** Write the server's CPU profile (node --cpu-prof) of the group-commit-on run into this directory. */
  cpuProf?: string;
  /** Only run these phases (comma list of bare, api, baseline, history, rebuild, rename, lifecycle, ab); default all but ab. */
  only?: Set<string>;
  /** Keep the temp data dirs (for inspection). */
  keep: boolean;
  /** The API's entry point (default dist/main.js): another build, to compare a change before and after. */
  apiEntry?: string;
  /** Rounds of the ab phase (one burst of each build per round). */
  rounds: number;
  /** sqlite (default): the phases above; postgres: the PostgreSQL profile next to SQLite (bench/postgres.ts). */
  profile: 'sqlite' | 'postgres';
}

const usage = `Usage: npm run bench -- [options]
  --duration S      seconds of measured load per scenario (default 15)
  --warmup S        seconds of warm-up load before each (default 3)
  --connections N   concurrent connections (default 50)
  --history N       existing sessions for the history measurement (default 1000000, 0 skips)
  --events N        events replayed by the rebuild measurement (0 skips); without it the rebuild
                    replays the history store's log (history + 131 catalog events), else a log
                    of exactly N events is built for it
  --lifecycle-sessions N
                    sessions in the lifecycle phase's large store (default 1000000; the small
                    one holds 10000)
  --no-baseline     skip the group-commit-off run
  --log-level L     LOG_LEVEL of the API under load (default info, as in production)
  --cpu-prof DIR    write CPU profiles of the API under load (group commit on, history) into DIR
  --only LIST       run only some phases: bare,api,baseline,history,rebuild,rename,lifecycle,ab
                    (lifecycle: list queries on 10,000 vs 1,000,000 sessions, PATCH vs create;
                    ab, only when named: creates against the --api-entry build (A) and this
                    one (B) side by side in alternating bursts of --duration S, e.g. main's
                    build against a change; reports the median CPU per create of each)
  --rounds N        rounds of the ab phase (default 6)
  --keep            keep the temporary data directories
  --api-entry FILE  run the API from another build (default dist/main.js), e.g. to compare a change
  --profile P       sqlite (default) or postgres: creates on PostgreSQL vs SQLite, list queries and
                    the PostgreSQL rebuild (phases api,list,rebuild; needs POSTGRES_URL)
  --smoke           a few seconds of tiny loads; fails unless every check passes`;

const positive = (name: string, raw: string | undefined, fallback: number, min = 0): number => {
  if (raw === undefined) return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}, got "${raw}"`);
  return value;
};

export const parseOptions = (argv: string[]): BenchOptions => {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      events: { type: 'string' },
      history: { type: 'string' },
      'lifecycle-sessions': { type: 'string' },
      'no-baseline': { type: 'boolean', default: false },
      'log-level': { type: 'string' },
      'cpu-prof': { type: 'string' },
      only: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'api-entry': { type: 'string' },
      rounds: { type: 'string' },
      profile: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const smoke = values.smoke;
  const only = values.only ? new Set(values.only.split(',').map((s) => s.trim())) : undefined;
  const profile = values.profile ?? 'sqlite';
  if (profile !== 'sqlite' && profile !== 'postgres') throw new Error(`--profile must be sqlite or postgres, got "${profile}"`);
  const phases =
    profile === 'postgres' ? ['api', 'list', 'rebuild'] : ['bare', 'api', 'baseline', 'history', 'rebuild', 'rename', 'lifecycle', 'ab'];
  for (const phase of only ?? []) {
    if (!phases.includes(phase)) throw new Error(`--only: unknown phase "${phase}" (${profile}: ${phases.join(', ')})`);
  }
  return {
    smoke,
    duration: positive('duration', values.duration, smoke ? 1 : 15, 1),
    warmup: positive('warmup', values.warmup, smoke ? 1 : 3),
    connections: positive('connections', values.connections, smoke ? 10 : 50, 1),
    events: positive('events', values.events, smoke ? 20_000 : 1_000_000),
    eventsGiven: values.events !== undefined,
    history: positive('history', values.history, smoke ? 2_000 : 1_000_000),
    lifecycleSessions: positive('lifecycle-sessions', values['lifecycle-sessions'], smoke ? 8_000 : 1_000_000, 1),
    baseline: !values['no-baseline'],
    logLevel: values['log-level'] ?? 'info',
    ...(values['cpu-prof'] ? { cpuProf: values['cpu-prof'] } : {}),
    ...(only ? { only } : {}),
    keep: values.keep,
    ...(values['api-entry'] ? { apiEntry: values['api-entry'] } : {}),
    rounds: positive('rounds', values.rounds, smoke ? 2 : 6, 1),
    profile,
  };
};

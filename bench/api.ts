/** Runs the API exactly as production does (`node dist/main.js`) as a child process on a temp data dir. */
import path from 'node:path';
import { sqliteDatabasePath } from '../src/profiles/embedded.js';
import { SqliteStore } from '../src/stores/sqlite/sqliteStore.js';
import { freePort, spawnChild, stopChild, waitUntilHealthy, peakRssMiB, type Child } from './processes.js';
import { benchSecret } from './workload.js';

export interface ApiOptions {
  dataDir: string;
  groupCommit: boolean;
  logLevel: string;
  /** Directory for `node --cpu-prof` output, when profiling. */
  cpuProfDir?: string;
  /** Entry point of the API (default dist/main.js). */
  entry?: string;
  /** More environment, e.g. the PostgreSQL profile's variables. */
  env?: Record<string, string>;
}

export interface RunningApi {
  url: string;
  child: Child;
  /** Reads the peak RSS, then stops the API (SIGTERM, graceful). */
  stop(): Promise<{ peakRssMiB: number | null; exitCode: number | null }>;
}

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

export const startApi = async (options: ApiOptions): Promise<RunningApi> => {
  const port = await freePort();
  const nodeArgs = options.cpuProfDir ? ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', options.cpuProfDir] : [];
  const child = spawnChild(
    process.execPath,
    [...nodeArgs, path.resolve(repoRoot, options.entry ?? path.join('dist', 'main.js'))],
    {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: options.dataDir,
      JWT_SECRET: benchSecret,
      LOG_LEVEL: options.logLevel,
      SEED_DEMO: 'false',
      SQLITE_GROUP_COMMIT: String(options.groupCommit),
      // The bench drives thousands of requests a second from one token: budgets off, to measure the API.
      RATE_LIMIT_WINDOW_S: '0',
      ...options.env,
    },
    // Request logs go where production sends them, a pipe or a file: here, nowhere.
    { stdout: 'ignore' },
  );
  const url = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(url, child, 60_000);
  return {
    url,
    child,
    stop: async () => {
      const peak = peakRssMiB(child.pid);
      const exitCode = await stopChild(child);
      return { peakRssMiB: peak, exitCode };
    },
  };
};

/** Sessions in the event log of a stopped API's data dir (checks that every 201 is in the log). */
export const countSessions = async (dataDir: string): Promise<number> => {
  const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
  try {
    const row = store.db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'SessionCreated'").get() as { n: number };
    return row.n;
  } finally {
    await store.close();
  }
};

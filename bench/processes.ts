/** Child processes of the benchmark: start, wait until ready, read peak RSS, stop. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';

export interface Child {
  process: ChildProcess;
  pid: number;
  /** Lines the child wrote to stderr (kept for error reports). */
  stderr: string[];
  /** Resolves with the exit code once the child has exited. */
  exited: Promise<number | null>;
}

export const spawnChild = (
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { stdout?: 'pipe' | 'ignore' } = {},
): Child => {
  const child = spawn(command, args, { env, stdio: ['ignore', options.stdout ?? 'pipe', 'pipe'] });
  const stderr: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 200) stderr.shift();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  return { process: child, pid: child.pid, stderr, exited };
};

/** The first stdout line of a child that announces itself with one JSON line. */
export const firstJsonLine = <T>(child: Child, timeoutMs: number): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.process.stdout! });
    const timer = setTimeout(() => {
      reject(new Error(`child ${child.pid} said nothing in ${timeoutMs} ms:\n${child.stderr.join('\n')}`));
    }, timeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`child ${child.pid} wrote a line that is not JSON: ${line}`));
      }
    });
    void child.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`child ${child.pid} exited with ${code} before it was ready:\n${child.stderr.join('\n')}`));
    });
  });

/** The last stdout line of a child, parsed as JSON, once it has exited with 0. */
export const lastJsonLine = async <T>(child: Child): Promise<T> => {
  let last = '';
  readline.createInterface({ input: child.process.stdout! }).on('line', (line) => {
    if (line.trim()) last = line;
  });
  const code = await child.exited;
  if (code !== 0) throw new Error(`child ${child.pid} exited with ${code}:\n${child.stderr.join('\n')}`);
  return JSON.parse(last) as T;
};

/** A TCP port that was free a moment ago (the API takes PORT from its environment). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });

export const waitUntilHealthy = async (url: string, child: Child, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void child.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`the API exited with ${exitCode} during start-up:\n${child.stderr.join('\n')}`);
    try {
      const reply = await fetch(`${url}/healthz`);
      if (reply.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the API did not become healthy in ${timeoutMs} ms:\n${child.stderr.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

/** Peak resident set size of a live process in MiB (VmHWM), or null where /proc is not available. */
export const peakRssMiB = (pid: number | 'self'): number | null => {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(status);
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
};

/** SIGTERM, then wait for the exit (SIGKILL after the grace period). Returns the exit code. */
export const stopChild = async (child: Child, graceMs = 15_000): Promise<number | null> => {
  if (child.process.exitCode !== null) return child.process.exitCode;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
};

/** CPU seconds used by the whole machine (busy time over all cores) and by the given processes. */
export interface CpuSnapshot {
  machineBusySec: number;
  oursSec: number;
}

const clockTicks = 100; // USER_HZ on Linux

export const processCpuSec = (pid: number): number => {
  try {
    // Fields after the command name (which may hold spaces) start at field 3; utime and stime are 14 and 15.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks;
  } catch {
    return 0;
  }
};

/** Null where /proc is not available. `pids` are our children; this process is always counted. */
export const cpuSnapshot = (pids: number[]): CpuSnapshot | null => {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const machineBusySec = (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) / clockTicks;
    const self = process.cpuUsage();
    const oursSec = (self.user + self.system) / 1e6 + pids.reduce((sum, pid) => sum + processCpuSec(pid), 0);
    return { machineBusySec, oursSec };
  } catch {
    return null;
  }
};

/** CPU seconds that processes other than ours used between two snapshots: noise from a shared machine. */
export const otherCpuSec = (before: CpuSnapshot | null, after: CpuSnapshot | null): number | null =>
  before && after
    ? Math.max(0, Math.round((after.machineBusySec - before.machineBusySec - (after.oursSec - before.oursSec)) * 10) / 10)
    : null;

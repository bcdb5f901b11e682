/** Runs the real entry point (src/main.ts) as a child process, as `npm start` does. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { testSecret } from './testApp.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export interface Service {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

export const startService = (dataDir: string, env: Record<string, string> = {}): Promise<Service> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('src', 'main.ts')], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        JWT_SECRET: testSecret,
        SEED_DEMO: 'false',
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        RATE_LIMIT_WINDOW_S: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let started = false;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
      child.on('close', (code, signal) => {
        done({ code, signal, stderr });
      }),
    );
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      if (started) return;
      stdout += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
      if (match) {
        started = true;
        stdout = '';
        resolve({ child, url: match[1]!, exited });
      }
    });
    child.on('error', reject);
    setTimeout(() => {
      reject(new Error(`service did not start: ${stderr}`));
    }, 30_000).unref();
  });

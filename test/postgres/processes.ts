/**
 * Real service processes for the multi-process PostgreSQL tests: API instances (src/main.ts) and
 * projector processes (src/cli/projector.ts), each its own `node`, on one database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { signToken, type TokenClaims } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { testSecret } from '../support/testApp.js';
import type { TestApp } from '../support/testApp.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** The API's base URL; a projector's metrics listener (empty without METRICS_PORT). */
  url: string;
  output(): string;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

const baseEnv = (databaseUrl: string, extra: Record<string, string>): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  PORT: '0',
  JWT_SECRET: testSecret,
  SEED_DEMO: 'false',
  LOG_LEVEL: 'info',
  EVENT_STORE: 'postgres',
  READ_STORE: 'postgres',
  POSTGRES_URL: databaseUrl,
  ...extra,
});

const launch = (script: string, env: NodeJS.ProcessEnv, ready: RegExp): Promise<ServiceProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const exited = new Promise<number | null>((done) =>
      child.on('close', (code) => {
        done(code);
      }),
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        resolve({
          child,
          pid: child.pid!,
          url: match[1] ?? '',
          output: () => output,
          exited,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    void exited.then((code) => {
      reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`));
    });
    setTimeout(() => {
      reject(new Error(`${script} was not ready after 180 s:\n${output}`));
    }, 180_000).unref();
  });

export const startApi = (databaseUrl: string, extra: Record<string, string> = {}): Promise<ServiceProcess> =>
  launch(path.join('src', 'main.ts'), baseEnv(databaseUrl, { PROJECTOR: 'external', ...extra }), /"url":"(http:\/\/[^"]+)"/);

export const startProjector = (databaseUrl: string, extra: Record<string, string> = {}): Promise<ServiceProcess> =>
  launch(
    path.join('src', 'cli', 'projector.ts'),
    baseEnv(databaseUrl, extra),
    /(?:"metricsUrl":"(http:\/\/[^"]+)"[^\n]*)?projector process started/,
  );

/** Enough of a TestApp for the catalog and session helpers: a base URL and tokens. */
export const clientOf = (url: string): TestApp => {
  const config = loadConfig({ JWT_SECRET: testSecret, DATA_DIR: '/nonexistent' }, () => testSecret);
  return {
    url,
    config,
    token: (claims: TokenClaims, expiresIn = '1h') => signToken(config.jwt, claims, expiresIn as never),
  } as unknown as TestApp;
};

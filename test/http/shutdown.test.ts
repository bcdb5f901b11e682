import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { signToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { testSecret } from '../support/testApp.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');

interface Service {
  child: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; stderr: string }>;
}

/** Runs the real entry point (src/main.ts) as its own process, as `npm start` does. */
const startService = (dataDir: string): Promise<Service> =>
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
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<{ code: number | null; stderr: string }>((done) =>
      child.on('close', (code) => {
        done({ code, stderr });
      }),
    );
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(stdout);
      if (match) resolve({ child, url: match[1]!, exited });
    });
    child.on('error', reject);
    setTimeout(() => {
      reject(new Error(`service did not start: ${stderr}`));
    }, 20_000).unref();
  });

describe('stopping the service with SIGTERM while requests are in flight', () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-shutdown-'));
  });
  after(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every accepted request, exits 0, and every 201 is in the store afterwards', async () => {
    const service = await startService(dataDir);
    const config = loadConfig({ JWT_SECRET: testSecret, DATA_DIR: dataDir }, () => testSecret);
    const token = signToken(config.jwt, { sub: 'platform-admin', permissions: ['workspaces.create'] });
    const create = (i: number) =>
      fetch(`${service.url}/v1/workspaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `Clinic ${i}` }),
      }).then(
        async (response) => ({ status: response.status, body: (await response.json()) as { workspace?: { id: string } } }),
        (error: unknown) => ({ status: 0, error }),
      );

    // Warm the connection path so that the burst below is really in flight when the signal lands.
    expect((await create(-1)).status).to.equal(201);
    const burst = Array.from({ length: 30 }, (_, i) => create(i));
    await new Promise((resolve) => setTimeout(resolve, 5));
    service.child.kill('SIGTERM');
    const replies = await Promise.all(burst);
    const { code, stderr } = await service.exited;

    expect(code, stderr).to.equal(0);
    expect(stderr).to.match(/SIGTERM received/);
    const answered = replies.filter((r) => r.status !== 0);
    expect(
      answered.every((r) => r.status === 201),
      JSON.stringify(answered.map((r) => r.status)),
    ).to.equal(true);
    // Requests the server never accepted fail to connect; none is answered with an error status.
    const createdIds = answered.map((r) => ('body' in r ? r.body.workspace!.id : ''));

    const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
    try {
      const events = [];
      for await (const event of store.readAll()) events.push(event);
      expect(events.map((e) => e.type).every((t) => t === 'WorkspaceCreated')).to.equal(true);
      expect(events).to.have.length(createdIds.length + 1);
      for (const id of createdIds) expect(await store.find('workspaces', id, id), id).to.not.equal(null);
    } finally {
      await store.close();
    }
    // The port is closed.
    const after = await create(99);
    expect(after.status).to.equal(0);
  });
});

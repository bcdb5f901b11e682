/**
 * A few `kill -9` cycles of the real server under load on one data dir: every create that was
 * answered 201 survives every crash, nothing is duplicated, and SQLite's integrity check is ok.
 * Bounded: each cycle kills the server after a fixed number of acknowledged creates.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'chai';
import { signToken } from '../../src/auth/tokens.js';
import { loadConfig } from '../../src/config.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { startService } from '../support/service.js';
import { testSecret } from '../support/testApp.js';

describe('kill -9 under load, a few times over', () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-crash-'));
  });
  after(() => {
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged create, duplicates nothing, and leaves an intact database', async function () {
    this.timeout(120_000);
    const token = signToken(loadConfig({ JWT_SECRET: testSecret, DATA_DIR: dataDir }, () => testSecret).jwt, {
      sub: 'platform-admin',
      permissions: ['workspaces.create'],
    });
    const acknowledged = new Set<string>();
    const cycles = 3;
    for (let cycle = 0; cycle < cycles; cycle++) {
      const service = await startService(dataDir);
      let killed = false;
      let inCycle = 0;
      const client = async (worker: number): Promise<void> => {
        for (let i = 0; !killed; i++) {
          try {
            const response = await fetch(`${service.url}/v1/workspaces`, {
              method: 'POST',
              headers: {
                authorization: `Bearer ${token}`,
                'content-type': 'application/json',
                'idempotency-key': `crash-${cycle}-${worker}-${i}`,
              },
              body: JSON.stringify({ name: `Crash ${cycle}.${worker}.${i}` }),
            });
            const body = (await response.json()) as { workspace?: { id: string } };
            expect(response.status, JSON.stringify(body)).to.equal(201);
            acknowledged.add(body.workspace!.id);
            // Exactly one create is the 40th of the cycle: its worker kills the service.
            if (++inCycle === 40) {
              killed = true;
              service.child.kill('SIGKILL');
            }
          } catch (error) {
            if (!killed) throw error;
          }
        }
      };
      await Promise.all(Array.from({ length: 8 }, (_, worker) => client(worker)));
      const { signal } = await service.exited;
      expect(signal).to.equal('SIGKILL');
    }

    const db = new Database(sqliteDatabasePath(dataDir), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).to.equal('ok');
    } finally {
      db.close();
    }
    const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
    try {
      const streams = new Map<string, number>();
      for await (const event of store.readAll()) streams.set(event.streamId, (streams.get(event.streamId) ?? 0) + 1);
      expect(
        [...streams.values()].every((count) => count === 1),
        'one WorkspaceCreated per stream',
      ).to.equal(true);
      for (const id of acknowledged) {
        expect(streams.get(`workspace-${id}`), `acknowledged ${id} lost`).to.equal(1);
        expect(await store.find('workspaces', id, id), `read model lost ${id}`).to.not.equal(null);
      }
      expect(acknowledged.size).to.be.at.least(cycles * 40);
    } finally {
      await store.close();
    }
  });
});

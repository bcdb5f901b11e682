/**
 * The cost of a rename that reaches many sessions: a workspace whose one service is booked by N
 * sessions (seeded straight into the log through the event store, projected inline as every
 * append is), then one PATCH of the service's name over HTTP, timed from request to answer. In
 * the embedded profile the answer comes after the projection has updated every session in the
 * append's transaction, so the time is the time for the rename to reach all of them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'bson';
import { allPermissions, signToken } from '../src/auth/tokens.js';
import { decideCreateSession } from '../src/commands/createSession.js';
import { loadCatalog } from '../src/commands/loadCatalog.js';
import { loadConfig } from '../src/config.js';
import { sessionStream } from '../src/events/streams.js';
import { start } from '../src/main.js';

export interface RenameResult {
  sessions: number;
  seedSeconds: number;
  renameMs: number;
  sessionsRenamed: number;
}

const secret = 'bench-secret-that-is-long-enough-for-hs256-0123456789';

export const runRename = async (sessions: number): Promise<RenameResult> => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-bench-rename-'));
  const config = loadConfig(
    {
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      JWT_SECRET: secret,
      LOG_LEVEL: 'silent',
      SEED_DEMO: 'false',
      NODE_ENV: 'production',
    },
    () => {
      throw new Error('the bench configures JWT_SECRET');
    },
  );
  const running = await start(config);
  try {
    const call = async (method: string, url: string, token: string, body?: unknown, headers: Record<string, string> = {}) => {
      const reply = await fetch(`${running.url}${url}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const json = (await reply.json()) as Record<string, { id: string }>;
      if (reply.status >= 300) throw new Error(`${method} ${url} answered ${reply.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const platform = signToken(config.jwt, { sub: 'bench', permissions: ['workspaces.create'] }, '1h');
    const workspaceId = (await call('POST', '/v1/workspaces', platform, { name: 'Rename bench' })).workspace!.id;
    const token = signToken(config.jwt, { sub: 'bench', workspaceId, permissions: [...allPermissions] }, '1h');
    const base = `/v1/workspace/${workspaceId}`;
    const clientId = (await call('POST', `${base}/clients`, token, { name: 'Client' })).client!.id;
    const serviceId = (await call('POST', `${base}/services`, token, { name: 'استشارة', scope: 'sessions', durationMinutes: 30 })).service!
      .id;
    const staffId = (await call('POST', `${base}/staff`, token, { name: 'Dr. Smith' })).staff!.id;

    const seedStarted = performance.now();
    const catalog = await loadCatalog(running.stores.readModel, workspaceId, {
      clientIds: [clientId],
      serviceIds: [serviceId],
      staffIds: [staffId],
    });
    const ids: string[] = [];
    for (let first = 0; first < sessions; first += 2000) {
      const writes = Array.from({ length: Math.min(2000, sessions - first) }, (_, i) => {
        const sessionId = new ObjectId().toHexString();
        ids.push(sessionId);
        const n = first + i;
        const day = String(1 + (n % 28)).padStart(2, '0');
        const events = decideCreateSession(
          {
            type: 'CreateSession',
            data: {
              name: `s${n}`,
              clientId,
              serviceIds: [serviceId],
              staffId,
              date: `2024-03-${day}`,
              startTime: `${String(8 + (n % 10)).padStart(2, '0')}:00`,
              durationMinutes: null,
              status: 'scheduled',
              fieldValues: [],
              sessionId,
              workspaceId,
            },
            metadata: {
              eventId: randomUUID(),
              occurredAt: new Date().toISOString(),
              actor: { userId: 'bench' },
              workspaceId,
              requestId: `seed-${n}`,
              correlationId: `seed-${n}`,
              schemaVersion: 0,
            },
          },
          catalog,
        );
        return { streamId: sessionStream(sessionId), events, expected: 'no_stream' as const };
      });
      await running.stores.events.appendMany(writes);
    }
    const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;

    const renameStarted = performance.now();
    await call('PATCH', `${base}/services/${serviceId}`, token, { name: 'استشارة طبية' }, { 'If-Match': '"1"' });
    const renameMs = Math.round(performance.now() - renameStarted);

    let sessionsRenamed = 0;
    for (let i = 0; i < ids.length; i += 1000) {
      for (const doc of await running.stores.readModel.findMany('sessions', workspaceId, ids.slice(i, i + 1000))) {
        if ((doc.serviceNames as string[])[0] === 'استشارة طبية') sessionsRenamed += 1;
      }
    }
    return { sessions, seedSeconds, renameMs, sessionsRenamed };
  } finally {
    await running.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
};

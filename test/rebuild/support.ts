/** Helpers shared by the rebuild and audit tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { allProjections } from '../../src/projections/index.js';
import type { EventToAppend } from '../../src/stores/eventStore.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { sqliteReadModelChecksum } from '../../src/stores/sqlite/sqliteRebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import type { Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import type { TestApp } from '../support/testApp.js';

/** The embedded store behind a test app (the read model port is the SqliteStore itself). */
export const sqliteOf = (app: TestApp): SqliteStore => {
  const store = app.running.stores.readModel;
  if (!(store instanceof SqliteStore)) throw new Error('these tests need the embedded store');
  return store;
};

export const checksumOf = (store: SqliteStore): string => sqliteReadModelChecksum(store.db, allProjections).checksum;

export const tempDataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-rebuild-'));

/** A year of its own per tag (2024 to 2073), from the sum of the tag's UTF-16 code units. */
const yearOf = (tag: string): number => {
  let sum = 0;
  for (let i = 0; i < tag.length; i += 1) sum += tag.charCodeAt(i);
  return 2024 + (sum % 50);
};

/** Creates `count` sessions with varied bodies (staff or not, explicit or summed duration, field values, idempotency keys). */
export const createSessions = async (app: TestApp, c: Catalog, count: number, tag = 's'): Promise<string[]> => {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const body: Record<string, unknown> = {
      name: `${tag} session ${i} — جلسة`,
      clientId: c.clientId,
      serviceIds: i % 3 === 0 ? [c.consultationId, c.checkupId] : i % 3 === 1 ? [c.openEndedId] : [c.checkupId],
      // A day of its own per session and tag: a staff member cannot be booked twice at once.
      date: `${new Date(Date.UTC(yearOf(tag), 0, 1) + i * 86_400_000).toISOString().slice(0, 10)}T${String(i % 24).padStart(2, '0')}:15:00Z`,
      startTime: `${String(i % 24).padStart(2, '0')}:${i % 2 === 0 ? '00' : '45'}`,
    };
    if (i % 2 === 0) body.staffId = c.staffId;
    if (i % 5 === 0) body.durationMinutes = 15 + i;
    if (i % 4 === 0)
      body.fieldValues = [
        { fieldKey: 'reason', value: `visit ${i}` },
        { fieldKey: 'first', value: i % 8 === 0, phase: 'pre' },
      ];
    if (i % 7 === 0) body.status = 'completed';
    const headers: Record<string, string> = i % 6 === 0 ? { 'Idempotency-Key': `${tag}-key-${i}` } : {};
    const reply = await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, { token: c.token, body, headers });
    expect(reply.status, reply.text).to.equal(201);
    ids.push(reply.body.session.id as string);
  }
  return ids;
};

export interface Fixture {
  workspaceId: string;
  events: (EventToAppend & { streamId: string })[];
  expectedSessions: Record<string, Record<string, unknown>>;
}

export const loadFixture = (name: string): Fixture =>
  JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '..', 'fixtures', name), 'utf8')) as Fixture;

/**
 * Writes the fixture's events into a fresh data dir through the event store port only (no
 * projections), as a log written by an older release would be, and returns the data dir.
 */
export const dataDirWithFixture = async (fixture: Fixture): Promise<string> => {
  const dataDir = tempDataDir();
  const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
  try {
    for (const event of fixture.events) {
      const { streamId, ...rest } = event;
      await store.append(streamId, [rest], 'no_stream');
    }
  } finally {
    await store.close();
  }
  return dataDir;
};

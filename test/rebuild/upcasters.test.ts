import fs from 'node:fs';
import { expect } from 'chai';
import { noUpcastFacts, sessionCreatedV1ToV2, upcastFactsFrom, UpcasterRegistry, upcasters } from '../../src/events/upcasters.js';
import { sqliteDatabasePath } from '../../src/profiles/embedded.js';
import { rebuild } from '../../src/profiles/rebuild.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { withUpcasting } from '../../src/stores/upcasting.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import { request } from '../support/http.js';
import { startTestApp } from '../support/testApp.js';
import { dataDirWithFixture, loadFixture } from './support.js';

const fixture = loadFixture('session-created-v1.json');
const v1Session = fixture.events.find((e) => e.type === 'SessionCreated')!;

const stored = (event: (typeof fixture.events)[number], position = 1n): StoredEvent => ({
  streamId: event.streamId,
  revision: 0n,
  position,
  type: event.type,
  data: structuredClone(event.data),
  metadata: structuredClone(event.metadata),
});

describe('upcasting SessionCreated v1 (the result-only shape)', () => {
  it('maps every recorded field and marks what v1 did not record, without guessing it', () => {
    const event = upcasters.upcast(stored(v1Session), upcastFactsFrom(new Map([['64b7f0c2a1b2c3d4e5f60001', 'Asia/Riyadh']])));
    expect(event.metadata.schemaVersion).to.equal(3);
    expect(event.data).to.deep.equal({
      sessionId: '64b7f0c2a1b2c3d4e5f60006',
      workspaceId: '64b7f0c2a1b2c3d4e5f60001',
      requested: {
        name: 'Consultation Session',
        clientId: '64b7f0c2a1b2c3d4e5f60002',
        serviceIds: ['64b7f0c2a1b2c3d4e5f60003', '64b7f0c2a1b2c3d4e5f60004'],
        staffId: '64b7f0c2a1b2c3d4e5f60005',
        date: '2023-03-05T00:00:00.000Z',
        startTime: '10:00',
        durationMinutes: null,
        status: 'scheduled',
        fieldValues: [
          { fieldKey: 'session-type', value: 'consultation', phase: 'pre' },
          { fieldKey: 'referral', value: true, phase: 'intake' },
        ],
      },
      client: { id: '64b7f0c2a1b2c3d4e5f60002', name: 'Fatima Al-Harbi' },
      services: [
        { id: '64b7f0c2a1b2c3d4e5f60003', name: 'استشارة طبية', durationMinutes: null },
        { id: '64b7f0c2a1b2c3d4e5f60004', name: 'فحص عام', durationMinutes: null },
      ],
      staff: { id: '64b7f0c2a1b2c3d4e5f60005', name: 'Dr. Smith' },
      timeZone: 'Asia/Riyadh',
      date: '2023-03-05T00:00:00.000Z',
      startTime: '10:00',
      endTime: '11:30',
      durationMinutes: 90,
      startAt: '2023-03-05T07:00:00.000Z',
      endAt: '2023-03-05T08:30:00.000Z',
      durationSource: 'legacy',
      summedServiceDurations: [],
      status: 'scheduled',
      fieldValues: [
        { fieldKey: 'session-type', value: 'consultation', phase: 'pre' },
        { fieldKey: 'referral', value: true, phase: 'intake' },
      ],
    });
  });

  it('keeps the rest of the metadata and the stored event untouched', () => {
    const original = stored(v1Session);
    const before = structuredClone(original);
    const event = upcasters.upcast(original);
    expect(original).to.deep.equal(before);
    expect(event.metadata).to.deep.equal({ ...original.metadata, schemaVersion: event.metadata.schemaVersion });
    expect(event.position).to.equal(original.position);
  });

  it('leaves a current event as the same object (upcasting twice changes nothing)', () => {
    const once = upcasters.upcast(stored(v1Session));
    expect(upcasters.upcast(once)).to.equal(once);
  });

  it('maps a session without staff to staff null', () => {
    const second = fixture.events.filter((e) => e.type === 'SessionCreated')[1]!;
    const data = sessionCreatedV1ToV2(second.data, stored(second), noUpcastFacts) as { staff: unknown; requested: { staffId: unknown } };
    expect(data.staff).to.equal(null);
    expect(data.requested.staffId).to.equal(null);
  });
});

describe('an upcaster registry', () => {
  it('chains steps from the stored version to the newest one', () => {
    const registry = new UpcasterRegistry()
      .register('Thing', 1, (data) => ({ ...(data as object), b: 2 }))
      .register('Thing', 2, (data) => ({ ...(data as object), c: 3 }));
    const event = registry.upcast({
      streamId: 's',
      revision: 0n,
      position: 1n,
      type: 'Thing',
      data: { a: 1 },
      metadata: { ...v1Session.metadata },
    });
    expect(event.data).to.deep.equal({ a: 1, b: 2, c: 3 });
    expect(event.metadata.schemaVersion).to.equal(3);
  });

  it('refuses two upcasters for the same type and version', () => {
    const registry = new UpcasterRegistry().register('Thing', 1, (d) => d);
    expect(() => registry.register('Thing', 1, (d) => d)).to.throw(/already registered/);
  });
});

describe('a log holding SessionCreated v1 events (fixture), stored through the store port', () => {
  it('rebuilds into the current session view', async () => {
    const dataDir = await dataDirWithFixture(fixture);
    try {
      const result = await rebuild({ store: sqliteDatabasePath(dataDir) });
      expect(result.applied).to.equal(fixture.events.length);
      expect(result.switched).to.equal(true);
      expect(result.skipped).to.deep.equal([]);
      const store = new SqliteStore({ path: sqliteDatabasePath(dataDir) });
      try {
        for (const [id, expected] of Object.entries(fixture.expectedSessions)) {
          expect(await store.find('sessions', fixture.workspaceId, id)).to.deep.equal(expected);
        }
        expect(await store.find('services', fixture.workspaceId, '64b7f0c2a1b2c3d4e5f60003')).to.include({
          name: 'استشارة طبية',
          durationMinutes: 30,
        });
        expect(await store.checkpoint('sessions')).to.equal(BigInt(fixture.events.length));
        // The log itself is not rewritten: the stored event keeps its v1 shape.
        const raw = await store.readStream('session-64b7f0c2a1b2c3d4e5f60006');
        expect(raw[0]!.metadata.schemaVersion).to.equal(1);
        expect(raw[0]!.data).to.not.have.property('requested');
        const upcast = await withUpcasting(store, upcasters).readStream('session-64b7f0c2a1b2c3d4e5f60006');
        expect(upcast[0]!.metadata.schemaVersion).to.equal(3);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('is served by the API after start-up catch-up, and its history shows the upcast event', async () => {
    const dataDir = await dataDirWithFixture(fixture);
    const app = await startTestApp({ dataDir });
    try {
      const token = app.token({ sub: 'auditor', workspaceId: fixture.workspaceId, permissions: ['sessions.read', 'sessions.audit'] });
      for (const [id, expected] of Object.entries(fixture.expectedSessions)) {
        const reply = await request(app.url, 'GET', `/v1/workspace/${fixture.workspaceId}/sessions/${id}`, { token });
        expect(reply.status, reply.text).to.equal(200);
        expect(reply.body.session).to.deep.equal(expected);
      }
      const history = await request(app.url, 'GET', `/v1/workspace/${fixture.workspaceId}/sessions/64b7f0c2a1b2c3d4e5f60006/history`, {
        token,
      });
      expect(history.status, history.text).to.equal(200);
      expect(history.body.events).to.have.length(1);
      expect(history.body.events[0]).to.include({
        type: 'SessionCreated',
        schemaVersion: 3,
        revision: 0,
        requestId: 'legacy-req-6',
        correlationId: 'legacy-corr-6',
      });
      expect(history.body.events[0].data.durationSource).to.equal('legacy');
    } finally {
      await app.destroy();
    }
  });
});

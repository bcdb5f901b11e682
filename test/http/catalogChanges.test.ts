import { expect } from 'chai';
import { ObjectId } from 'bson';
import { decideCreateSession } from '../../src/commands/createSession.js';
import { loadCatalog } from '../../src/commands/loadCatalog.js';
import { sessionStream } from '../../src/events/streams.js';
import { rebuild } from '../../src/profiles/rebuild.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { sqliteOf } from '../rebuild/support.js';
import { createSession, eventsAfter, expectRejected, sessionsPath, storedSession } from './helpers.js';

/** A day of its own for each session a test books, so that the staff member is never double-booked. */
let slotsBooked = 0;
const slot = () => {
  slotsBooked += 1;
  return {
    date: `2025-${String(1 + (slotsBooked % 12)).padStart(2, '0')}-${String(1 + (Math.floor(slotsBooked / 12) % 28)).padStart(2, '0')}`,
    startTime: '10:00',
  };
};

describe('catalog changes over HTTP', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  const path = (kind: string, id = '') => `/v1/workspace/${c.workspaceId}/${kind}${id ? `/${id}` : ''}`;
  const patch = (kind: string, id: string, body: unknown, headers: Record<string, string> = { 'If-Match': '"1"' }, token = c.token) =>
    request(app.url, 'PATCH', path(kind, id), { token, body, headers });

  describe('PATCH a client', () => {
    it('renames it with If-Match: 200, the new ETag, ClientRenamed with old and new names, and the read model', async () => {
      const before = await app.head();
      const reply = await patch('clients', c.clientId, { name: ' يوحنا ', phone: '+966 11 555' });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.headers.get('etag')).to.equal('"3"');
      expect(reply.body.client).to.include({
        id: c.clientId,
        name: 'يوحنا',
        email: 'john@example.com',
        phone: '+966 11 555',
        version: 3,
        archived: false,
      });
      expect(reply.body.client).to.not.have.any.keys('nameSearch', 'nameSort');
      const events = await eventsAfter(app, before);
      expect(events.map((e) => [e.streamId, e.type, e.revision])).to.deep.equal([
        [`client-${c.clientId}`, 'ClientRenamed', 1n],
        [`client-${c.clientId}`, 'ClientContactChanged', 2n],
      ]);
      expect(events[0]!.data).to.deep.equal({ clientId: c.clientId, workspaceId: c.workspaceId, from: 'John Doe', to: 'يوحنا' });
      expect(events[1]!.data).to.deep.equal({ clientId: c.clientId, workspaceId: c.workspaceId, phone: { from: null, to: '+966 11 555' } });
      const got = await request(app.url, 'GET', path('clients', c.clientId), { token: c.token });
      expect(got.headers.get('etag')).to.equal('"3"');
      expect(got.body).to.deep.equal(reply.body);
      const notModified = await request(app.url, 'GET', path('clients', c.clientId), {
        token: c.token,
        headers: { 'If-None-Match': '"3"' },
      });
      expect(notModified.status).to.equal(304);
    });

    it('answers 428 without If-Match and 412 with a stale one, naming the current version, appending nothing', async () => {
      await expectRejected(app, 'PATCH', path('clients', c.clientId), { token: c.token, body: { name: 'X' } }, 428);
      const stale = await expectRejected(
        app,
        'PATCH',
        path('clients', c.clientId),
        { token: c.token, body: { name: 'X' }, headers: { 'If-Match': '"7"' } },
        412,
      );
      expect(stale.body.detail).to.include('version 1');
      await expectRejected(
        app,
        'PATCH',
        path('clients', c.clientId),
        { token: c.token, body: { name: 'X' }, headers: { 'If-Match': 'W/"x"' } },
        400,
        { paths: ['If-Match'] },
      );
    });

    it('answers a repeat with the same Idempotency-Key as the original, appending nothing; another body is a 422', async () => {
      const headers = { 'If-Match': '"1"', 'Idempotency-Key': 'rename-1' };
      const first = await patch('clients', c.clientId, { name: 'Jane' }, headers);
      expect(first.status).to.equal(200);
      const head = await app.head();
      const again = await patch('clients', c.clientId, { name: 'Jane' }, headers);
      expect(again.status).to.equal(200);
      expect(again.headers.get('idempotent-replayed')).to.equal('true');
      expect(again.body).to.deep.equal(first.body);
      expect(await app.head()).to.equal(head);
      await expectRejected(app, 'PATCH', path('clients', c.clientId), { token: c.token, body: { name: 'Other' }, headers }, 422, {
        paths: ['Idempotency-Key'],
      });
    });

    it('answers 200 and appends nothing for a patch that changes nothing', async () => {
      const head = await app.head();
      const reply = await patch('clients', c.clientId, { name: 'John Doe' });
      expect(reply.status).to.equal(200);
      expect(reply.body.client.version).to.equal(1);
      expect(await app.head()).to.equal(head);
    });

    it('stores a new name in NFC, as a create does, so that a decomposed spelling of the same name changes nothing', async () => {
      const decomposed = 'Rene\u0301e Caf\u0065\u0301';
      const composed = 'Ren\u00e9e Caf\u00e9';
      const before = await app.head();
      const renamed = await patch('clients', c.clientId, { name: ` ${decomposed} ` });
      expect(renamed.status, renamed.text).to.equal(200);
      expect(renamed.body.client.name).to.equal(composed);
      const events = await eventsAfter(app, before);
      expect(events.map((e) => [e.type, (e.data as { to: string }).to])).to.deep.equal([['ClientRenamed', composed]]);

      const head = await app.head();
      const again = await patch('clients', c.clientId, { name: decomposed }, { 'If-Match': '"2"' });
      expect(again.status, again.text).to.equal(200);
      expect(again.body.client).to.include({ name: composed, version: 2 });
      expect(await app.head()).to.equal(head);
      for (const [kind, id, key] of [
        ['services', c.consultationId, 'service'],
        ['staff', c.staffId, 'staff'],
      ] as const) {
        const reply = await patch(kind, id, { name: decomposed });
        expect(reply.status, reply.text).to.equal(200);
        expect(reply.body[key].name).to.equal(composed);
      }
    });

    it('rejects invalid fields (400), a token without clients.update (403), and unknown or foreign clients (404)', async () => {
      await expectRejected(
        app,
        'PATCH',
        path('clients', c.clientId),
        { token: c.token, body: { name: '', email: 'x', workspaceId: 'y' }, headers: { 'If-Match': '"1"' } },
        400,
        {
          paths: ['name', 'email', 'workspaceId'],
        },
      );
      const reader = app.token({ sub: 'r', workspaceId: c.workspaceId, permissions: ['clients.read', 'clients.create'] });
      await expectRejected(
        app,
        'PATCH',
        path('clients', c.clientId),
        { token: reader, body: { name: 'X' }, headers: { 'If-Match': '"1"' } },
        403,
      );
      const other = await createCatalog(app, 'Other');
      for (const id of [other.clientId, '0'.repeat(24), 'nope']) {
        await expectRejected(
          app,
          'PATCH',
          path('clients', id),
          { token: c.token, body: { name: 'X' }, headers: { 'If-Match': '"1"' } },
          404,
        );
      }
    });
  });

  describe('PATCH a service, a staff member, the workspace', () => {
    it('changes a service duration for new sessions only, and refuses a scope', async () => {
      const booked = await createSession(app, c, { ...slot(), serviceIds: [c.consultationId] });
      const reply = await patch('services', c.consultationId, { durationMinutes: 45 });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.body.service).to.include({ durationMinutes: 45, version: 2, scope: 'sessions' });
      expect((await storedSession(app, c.workspaceId, booked.body.session.id))!.durationMinutes).to.equal(30);
      const fresh = await createSession(app, c, { ...slot(), serviceIds: [c.consultationId] });
      expect(fresh.body.session.durationMinutes).to.equal(45);
      await expectRejected(
        app,
        'PATCH',
        path('services', c.consultationId),
        { token: c.token, body: { scope: 'products' }, headers: { 'If-Match': '"2"' } },
        400,
        { paths: ['scope'] },
      );
    });

    it('renames a staff member and changes the email', async () => {
      const reply = await patch('staff', c.staffId, { name: 'د. سارة', email: 'sara@example.com' });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.body.staff).to.include({ name: 'د. سارة', email: 'sara@example.com', version: 3 });
    });

    it('moves the workspace to another zone: existing sessions keep their instants, new ones use the new zone', async () => {
      const before = await createSession(app, c, { ...slot(), date: '2024-01-20', startTime: '10:00' });
      const reply = await request(app.url, 'PATCH', `/v1/workspace/${c.workspaceId}`, {
        token: c.token,
        body: { timeZone: 'Asia/Riyadh', name: 'عيادة' },
        headers: { 'If-Match': '"1"' },
      });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.headers.get('etag')).to.equal('"3"');
      expect(reply.body.workspace).to.include({ id: c.workspaceId, name: 'عيادة', timeZone: 'Asia/Riyadh', version: 3 });
      expect(reply.body.workspace).to.not.have.property('workspaceId');
      const kept = (await storedSession(app, c.workspaceId, before.body.session.id))!;
      expect(kept).to.include({ timeZone: 'UTC', startAt: '2024-01-20T10:00:00.000Z' });
      const after = await createSession(app, c, { ...slot(), date: '2024-01-20', startTime: '10:00' });
      expect(after.body.session).to.include({ timeZone: 'Asia/Riyadh', startAt: '2024-01-20T07:00:00.000Z' });
      const moved = await request(app.url, 'PATCH', `${sessionsPath(c)}/${before.body.session.id}`, {
        token: c.token,
        body: { startTime: '12:00' },
        headers: { 'If-Match': '"1"' },
      });
      expect(moved.status, moved.text).to.equal(200);
      expect(moved.body.session).to.include({ timeZone: 'Asia/Riyadh', startAt: '2024-01-20T09:00:00.000Z' });
      const noUpdate = app.token({ sub: 'r', workspaceId: c.workspaceId, permissions: ['clients.read'] });
      await expectRejected(
        app,
        'PATCH',
        `/v1/workspace/${c.workspaceId}`,
        { token: noUpdate, body: { name: 'X' }, headers: { 'If-Match': '"3"' } },
        403,
      );
      await expectRejected(
        app,
        'PATCH',
        `/v1/workspace/${c.workspaceId}`,
        { token: c.token, body: { timeZone: 'Mars/Base' }, headers: { 'If-Match': '"3"' } },
        400,
        { paths: ['timeZone'] },
      );
      await expectRejected(app, 'PATCH', `/v1/workspace/${c.workspaceId}`, { token: c.token, body: { name: 'Y' } }, 428);
    });
  });

  describe('archive and unarchive', () => {
    it('archives with If-Match (200, the document), keeps it readable and its sessions, and refuses to book it (422 naming it)', async () => {
      const booked = await createSession(app, c, slot());
      const archived = await request(app.url, 'POST', `${path('staff', c.staffId)}/archive`, {
        token: c.token,
        headers: { 'If-Match': '"1"' },
      });
      expect(archived.status, archived.text).to.equal(200);
      expect(archived.headers.get('etag')).to.equal('"2"');
      expect(archived.body.staff).to.include({ id: c.staffId, archived: true, version: 2 });
      expect((await request(app.url, 'GET', path('staff', c.staffId), { token: c.token })).body.staff.archived).to.equal(true);
      expect((await storedSession(app, c.workspaceId, booked.body.session.id))!.staffId).to.equal(c.staffId);

      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        {
          token: c.token,
          body: { name: 'S', clientId: c.clientId, serviceIds: [c.checkupId], staffId: c.staffId, date: '2024-01-20', startTime: '10:00' },
        },
        422,
        {
          errors: [{ path: 'staffId', message: `staff member ${c.staffId} is archived` }],
        },
      );
      await request(app.url, 'POST', `${path('services', c.checkupId)}/archive`, { token: c.token, headers: { 'If-Match': '"1"' } });
      const other = await createSession(app, c, { ...slot(), serviceIds: [c.consultationId], staffId: null });
      await expectRejected(
        app,
        'PATCH',
        `${sessionsPath(c)}/${other.body.session.id}`,
        { token: c.token, body: { serviceIds: [c.checkupId] }, headers: { 'If-Match': '"1"' } },
        422,
        {
          errors: [{ path: 'serviceIds[0]', message: `service ${c.checkupId} is archived` }],
        },
      );
      // A session that already has the archived service keeps it through a PATCH.
      const kept = await request(app.url, 'PATCH', `${sessionsPath(c)}/${booked.body.session.id}`, {
        token: c.token,
        body: { name: 'Renamed', serviceIds: [c.consultationId, c.checkupId] },
        headers: { 'If-Match': '"1"' },
      });
      expect(kept.status, kept.text).to.equal(200);

      const again = await request(app.url, 'POST', `${path('staff', c.staffId)}/archive`, {
        token: c.token,
        headers: { 'If-Match': '"2"' },
      });
      expect(again.status).to.equal(200);
      expect(again.body.staff.version).to.equal(2);
      const unarchived = await request(app.url, 'POST', `${path('staff', c.staffId)}/unarchive`, {
        token: c.token,
        body: {},
        headers: { 'If-Match': '"2"' },
      });
      expect(unarchived.body.staff).to.include({ archived: false, version: 3 });
      await createSession(app, c, { ...slot(), serviceIds: [c.consultationId] });
    });

    it("needs If-Match, the kind's .update permission, an empty body, and an existing entry", async () => {
      await expectRejected(app, 'POST', `${path('clients', c.clientId)}/archive`, { token: c.token }, 428);
      await expectRejected(app, 'POST', `${path('clients', c.clientId)}/archive`, { token: c.token, headers: { 'If-Match': '"9"' } }, 412);
      await expectRejected(
        app,
        'POST',
        `${path('clients', c.clientId)}/archive`,
        { token: c.token, body: { reason: 'x' }, headers: { 'If-Match': '"1"' } },
        400,
        { paths: ['reason'] },
      );
      const token = app.token({ sub: 'r', workspaceId: c.workspaceId, permissions: ['services.update'] });
      await expectRejected(app, 'POST', `${path('clients', c.clientId)}/archive`, { token, headers: { 'If-Match': '"1"' } }, 403);
      await expectRejected(
        app,
        'POST',
        `${path('services', '0'.repeat(24))}/unarchive`,
        { token: c.token, headers: { 'If-Match': '"1"' } },
        404,
      );
    });
  });

  describe('renames reach the sessions', () => {
    it('shows the new client, service and staff names on every session, while the events keep what was booked', async () => {
      const a = (await createSession(app, c, slot())).body.session.id as string;
      const b = (await createSession(app, c, { ...slot(), serviceIds: [c.checkupId], staffId: null })).body.session.id as string;
      expect((await patch('services', c.checkupId, { name: 'General check-up' })).status).to.equal(200);
      expect((await patch('clients', c.clientId, { name: 'Jöhn' })).status).to.equal(200);
      expect((await patch('staff', c.staffId, { name: 'Dr. Sara' })).status).to.equal(200);
      const first = (await request(app.url, 'GET', `${sessionsPath(c)}/${a}`, { token: c.token })).body.session;
      expect(first).to.include({ clientName: 'Jöhn', staffName: 'Dr. Sara', version: 1 });
      expect(first.serviceNames).to.deep.equal(['استشارة طبية', 'General check-up']);
      const second = (await storedSession(app, c.workspaceId, b))!;
      expect(second).to.include({ clientName: 'Jöhn', staffName: null });
      expect(second.serviceNames).to.deep.equal(['General check-up']);
      const [created] = await app.running.stores.events.readStream(sessionStream(a));
      expect((created!.data as { client: { name: string } }).client.name).to.equal('John Doe');
    });

    it('updates all 10,000 sessions that show a service with one rename', async function () {
      this.timeout(300_000);
      const catalog = await loadCatalog(app.running.stores.readModel, c.workspaceId, {
        clientIds: [c.clientId],
        serviceIds: [c.consultationId],
        staffIds: [c.staffId],
      });
      const writes = Array.from({ length: 10_000 }, (_, i) => {
        const sessionId = new ObjectId().toHexString();
        const events = decideCreateSession(
          {
            type: 'CreateSession',
            data: {
              name: `s${i}`,
              clientId: c.clientId,
              serviceIds: [c.consultationId],
              staffId: c.staffId,
              date: '2024-03-01',
              startTime: '09:00',
              durationMinutes: null,
              status: 'scheduled',
              fieldValues: [],
              sessionId,
              workspaceId: c.workspaceId,
            },
            metadata: {
              eventId: crypto.randomUUID(),
              occurredAt: new Date().toISOString(),
              actor: { userId: 'seed' },
              workspaceId: c.workspaceId,
              requestId: `seed-${i}`,
              correlationId: `seed-${i}`,
              schemaVersion: 0,
            },
          },
          catalog,
        );
        return { streamId: sessionStream(sessionId), events, expected: 'no_stream' as const };
      });
      for (let i = 0; i < writes.length; i += 2000) await app.running.stores.events.appendMany(writes.slice(i, i + 2000));

      const reply = await patch('services', c.consultationId, { name: 'Consultation' });
      expect(reply.status, reply.text).to.equal(200);
      // Inline projections have applied the rename when the 200 is sent; an asynchronous profile's
      // projector applies it soon after: wait for the sessions view to reach the head.
      expect(
        await app.running.stores.progress.waitFor('sessions', (await app.head())!, 240_000),
        'sessions view reached the rename',
      ).to.equal(true);
      let renamed = 0;
      const ids = writes.map((w) => w.streamId.slice('session-'.length));
      for (let i = 0; i < ids.length; i += 1000) {
        for (const doc of await app.running.stores.readModel.findMany('sessions', c.workspaceId, ids.slice(i, i + 1000))) {
          expect(doc.serviceNames).to.deep.equal(['Consultation']);
          renamed += 1;
        }
      }
      expect(renamed).to.equal(10_000);
    });
  });

  describe('a rebuild after renames and archives', () => {
    it('gives identical documents (--verify)', async function () {
      // The embedded store's rebuild; the PostgreSQL rebuild has its own tests (test/postgres/).
      if (app.config.eventStore !== 'sqlite') this.skip();
      await createSession(app, c, slot());
      await createSession(app, c, { ...slot(), serviceIds: [c.checkupId] });
      await patch('services', c.checkupId, { name: 'فحص شامل', durationMinutes: 90 });
      await patch('clients', c.clientId, { name: 'Élodie' });
      await request(app.url, 'POST', `${path('staff', c.staffId)}/archive`, { token: c.token, headers: { 'If-Match': '"1"' } });
      await request(app.url, 'PATCH', `/v1/workspace/${c.workspaceId}`, {
        token: c.token,
        body: { timeZone: 'Europe/Paris' },
        headers: { 'If-Match': '"1"' },
      });
      const result = await rebuild({ store: sqliteOf(app), dryRun: true, verify: true });
      expect(
        result.identical,
        JSON.stringify(result.comparison?.collections.filter((x) => x.changed.count + x.missing.count + x.extra.count > 0)),
      ).to.equal(true);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { idempotentId } from '../../src/commands/idempotency.js';
import type { SessionCreated } from '../../src/events/index.js';
import { sessionCreatedVersion } from '../../src/events/session.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import {
  createSession,
  eventsAfter,
  expectProblem,
  expectRejected,
  isoMillisPattern,
  objectIdPattern,
  sessionBody,
  sessionsPath,
  storedSession,
  uuidPattern,
} from './helpers.js';

describe('POST /v1/workspace/:workspaceId/sessions: the seed example', () => {
  const now = '2024-01-15T10:00:00.000Z';
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp({ start: { clock: () => new Date(now) } });
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  it('answers the documented request with the documented 201 body, Location and X-Request-Id', async () => {
    const requestId = `seed-${randomUUID()}`;
    const documented = {
      name: 'Consultation Session',
      clientId: c.clientId,
      serviceIds: [c.consultationId, c.checkupId],
      staffId: c.staffId,
      date: '2024-01-20T10:00:00Z',
      startTime: '10:00',
      durationMinutes: 90,
      status: 'scheduled',
      fieldValues: [{ fieldKey: 'session-type', value: 'consultation', phase: 'pre' }],
    };
    const reply = await request(app.url, 'POST', sessionsPath(c), {
      token: c.token,
      body: documented,
      headers: { 'x-request-id': requestId },
    });
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.headers.get('content-type')).to.match(/^application\/json/);
    expect(reply.headers.get('x-request-id')).to.equal(requestId);
    const session = reply.body.session;
    expect(session.id).to.match(objectIdPattern);
    expect(reply.headers.get('location')).to.equal(`/v1/workspace/${c.workspaceId}/sessions/${session.id}`);
    expect(reply.body).to.deep.equal({
      session: {
        id: session.id,
        workspaceId: c.workspaceId,
        clientId: c.clientId,
        clientName: 'John Doe',
        serviceIds: [c.consultationId, c.checkupId],
        serviceNames: ['استشارة طبية', 'فحص عام'],
        staffId: c.staffId,
        staffName: 'Dr. Smith',
        name: 'Consultation Session',
        date: '2024-01-20T00:00:00.000Z',
        startTime: '10:00',
        endTime: '11:30',
        durationMinutes: 90,
        status: 'scheduled',
        fieldValues: [{ fieldKey: 'session-type', value: 'consultation', phase: 'pre' }],
        attachments: [],
        notes: [],
        invoice: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
        timeZone: 'UTC',
        startAt: '2024-01-20T10:00:00.000Z',
        endAt: '2024-01-20T11:30:00.000Z',
        startedAt: null,
        completedAt: null,
        cancellation: null,
        overbooked: null,
      },
    });
  });

  it('computes 90 minutes and endTime 11:30 from services of 30 and 60 minutes, keeping the Arabic names intact', async () => {
    const reply = await createSession(app, c);
    const s = reply.body.session;
    expect(s.durationMinutes).to.equal(90);
    expect(s.endTime).to.equal('11:30');
    expect(s.serviceNames).to.deep.equal(['استشارة طبية', 'فحص عام']);
    // The raw bytes carry the Arabic text as UTF-8 (not mangled or escaped to ?).
    expect(reply.text).to.include('استشارة طبية');
  });

  it('returns every documented field with its documented type', async () => {
    const s = (await createSession(app, c)).body.session as Record<string, unknown>;
    expect(s).to.include.all.keys(
      'id',
      'workspaceId',
      'clientId',
      'clientName',
      'serviceIds',
      'serviceNames',
      'staffId',
      'staffName',
      'name',
      'date',
      'startTime',
      'endTime',
      'durationMinutes',
      'status',
      'fieldValues',
      'attachments',
      'notes',
      'invoice',
      'createdAt',
      'updatedAt',
    );
    for (const key of ['id', 'workspaceId', 'clientId', 'staffId']) expect(s[key]).to.match(objectIdPattern);
    for (const key of ['clientName', 'staffName', 'name', 'status']) expect(s[key]).to.be.a('string');
    expect(s.serviceIds)
      .to.be.an('array')
      .that.satisfies((ids: unknown[]) => ids.every((id) => typeof id === 'string' && objectIdPattern.test(id)));
    expect(s.serviceNames)
      .to.be.an('array')
      .that.satisfies((names: unknown[]) => names.every((n) => typeof n === 'string'));
    expect(s.date).to.match(isoMillisPattern);
    expect(s.startTime).to.match(/^\d{2}:\d{2}$/);
    expect(s.endTime).to.match(/^\d{2}:\d{2}$/);
    expect(s.durationMinutes).to.be.a('number');
    expect(s.fieldValues).to.deep.equal([]);
    expect(s.attachments).to.deep.equal([]);
    expect(s.notes).to.deep.equal([]);
    expect(s.invoice).to.equal(null);
    expect(s.createdAt).to.equal(now);
    expect(s.updatedAt).to.equal(now);
  });

  it("appends exactly one SessionCreated with complete metadata and the decision facts, and the staff member's claim on the time, atomically", async () => {
    const before = await app.head();
    const requestId = `req-${randomUUID()}`;
    const reply = await createSession(app, c, {}, { headers: { 'x-request-id': requestId, 'x-correlation-id': 'booking-flow-7' } });
    const id = reply.body.session.id as string;
    const appended = await eventsAfter(app, before);
    expect(appended.map((e) => [e.type, e.streamId])).to.deep.equal([
      ['SessionCreated', `session-${id}`],
      ['StaffTimeClaimed', `staffday-${c.workspaceId}-${c.staffId}-2024-01-20`],
    ]);
    expect(appended[1]!.data).to.deep.equal({
      workspaceId: c.workspaceId,
      staffId: c.staffId,
      day: '2024-01-20',
      sessionId: id,
      startAt: '2024-01-20T10:00:00.000Z',
      endAt: '2024-01-20T11:30:00.000Z',
      overlap: null,
    });
    expect(appended[1]!.metadata.requestId).to.equal(requestId);
    const [event] = appended;
    expect(event!.streamId).to.equal(`session-${id}`);
    expect(event!.revision).to.equal(0n);
    expect(event!.type).to.equal('SessionCreated');
    const { eventId, ...metadata } = event!.metadata;
    expect(eventId).to.match(uuidPattern);
    expect(metadata).to.deep.equal({
      occurredAt: now,
      actor: { userId: 'user-1', name: 'Reception' },
      workspaceId: c.workspaceId,
      requestId,
      correlationId: 'booking-flow-7',
      schemaVersion: sessionCreatedVersion,
    });
    const data = event!.data as SessionCreated['data'];
    expect(data).to.deep.include({
      sessionId: id,
      workspaceId: c.workspaceId,
      durationMinutes: 90,
      durationSource: 'services',
      summedServiceDurations: [30, 60],
      date: '2024-01-20T00:00:00.000Z',
      endTime: '11:30',
    });
    expect(data.requested).to.deep.equal({
      name: 'Consultation Session',
      clientId: c.clientId,
      serviceIds: [c.consultationId, c.checkupId],
      staffId: c.staffId,
      date: '2024-01-20T10:00:00Z',
      startTime: '10:00',
      durationMinutes: null,
      status: 'scheduled',
      fieldValues: [],
    });
    expect(data.services).to.deep.equal([
      { id: c.consultationId, name: 'استشارة طبية', durationMinutes: 30 },
      { id: c.checkupId, name: 'فحص عام', durationMinutes: 60 },
    ]);
    expect(data.client).to.deep.equal({ id: c.clientId, name: 'John Doe' });
    expect(data.staff).to.deep.equal({ id: c.staffId, name: 'Dr. Smith' });
  });

  it('uses the request id as correlation id when no X-Correlation-Id is sent', async () => {
    const before = await app.head();
    const reply = await createSession(app, c);
    const [event] = await eventsAfter(app, before);
    expect(event!.metadata.requestId).to.equal(reply.headers.get('x-request-id'));
    expect(event!.metadata.correlationId).to.equal(event!.metadata.requestId);
  });

  it('records an actor without a name when the token has none', async () => {
    const token = app.token({ sub: 'nameless', workspaceId: c.workspaceId, permissions: ['sessions.create'] });
    const before = await app.head();
    await createSession(app, c, {}, { token });
    const [event] = await eventsAfter(app, before);
    expect(event!.metadata.actor).to.deep.equal({ userId: 'nameless' });
  });

  it('answers a GET right after the 201 with an identical body', async () => {
    const created = await createSession(app, c);
    const got = await request(app.url, 'GET', `${sessionsPath(c)}/${created.body.session.id}`, { token: c.token });
    expect(got.status, got.text).to.equal(200);
    expect(got.body).to.deep.equal(created.body);
    expect(await storedSession(app, c.workspaceId, created.body.session.id)).to.deep.equal(created.body.session);
  });
});

describe('POST /v1/workspace/:workspaceId/sessions: computed fields', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  it('lets the request durationMinutes override the services sum', async () => {
    const s = (await createSession(app, c, { durationMinutes: 45 })).body.session;
    expect(s.durationMinutes).to.equal(45);
    expect(s.endTime).to.equal('10:45');
  });

  it('counts a service without duration as 0 and defaults a zero sum to 60 minutes', async () => {
    expect((await createSession(app, c, { serviceIds: [c.consultationId, c.openEndedId] })).body.session.durationMinutes).to.equal(30);
    const before = await app.head();
    const s = (await createSession(app, c, { serviceIds: [c.openEndedId], startTime: '14:00' })).body.session;
    expect(s.durationMinutes).to.equal(60);
    const [event] = await eventsAfter(app, before);
    expect(event!.data).to.deep.include({ durationSource: 'default', summedServiceDurations: [0] });
  });

  it('wraps endTime past midnight (23:30 + 90 minutes → 01:00)', async () => {
    expect((await createSession(app, c, { startTime: '23:30' })).body.session.endTime).to.equal('01:00');
  });

  it('stores the date as midnight UTC of its UTC day, for offsets and plain dates', async () => {
    expect((await createSession(app, c, { date: '2024-01-20T01:00:00+03:00' })).body.session.date).to.equal('2024-01-19T00:00:00.000Z');
    expect((await createSession(app, c, { date: '2024-01-20' })).body.session.date).to.equal('2024-01-20T00:00:00.000Z');
  });

  it('answers staffId and staffName null when no staff member is given (absent or null)', async () => {
    for (const overrides of [{ staffId: null }, { staffId: undefined }]) {
      const s = (await createSession(app, c, overrides)).body.session;
      expect(s.staffId).to.equal(null);
      expect(s.staffName).to.equal(null);
    }
  });

  it('keeps serviceIds and serviceNames in request order', async () => {
    const s = (await createSession(app, c, { serviceIds: [c.checkupId, c.openEndedId, c.consultationId] })).body.session;
    expect(s.serviceIds).to.deep.equal([c.checkupId, c.openEndedId, c.consultationId]);
    expect(s.serviceNames).to.deep.equal(['فحص عام', 'Open-ended', 'استشارة طبية']);
  });

  it('returns fieldValues as accepted, each with its phase, and the status given', async () => {
    const s = (
      await createSession(app, c, {
        status: 'in-progress',
        fieldValues: [
          { fieldKey: 'session-type', value: 'consultation' },
          { fieldKey: 'weight', value: 72.5, phase: 'pre' },
          { fieldKey: 'first-visit', value: false },
          { fieldKey: 'referral', value: null },
        ],
      })
    ).body.session;
    expect(s.status).to.equal('in-progress');
    expect(s.fieldValues).to.deep.equal([
      { fieldKey: 'session-type', value: 'consultation', phase: 'pre' },
      { fieldKey: 'weight', value: 72.5, phase: 'pre' },
      { fieldKey: 'first-visit', value: false, phase: 'pre' },
      { fieldKey: 'referral', value: null, phase: 'pre' },
    ]);
  });

  it('trims the name and keeps an Arabic name intact', async () => {
    expect((await createSession(app, c, { name: '  جلسة استشارة  ' })).body.session.name).to.equal('جلسة استشارة');
  });
});

describe('POST /v1/workspace/:workspaceId/sessions: rejected requests', () => {
  let app: TestApp;
  let c: Catalog;
  let other: Catalog;
  before(async () => {
    app = await startTestApp();
    other = await createCatalog(app, 'Other Clinic');
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  /**
   * POSTs with an Idempotency-Key, so the id a success would have had is known: asserts the
   * problem, that the head did not move, and that no session document appeared.
   */
  const rejectedCreate = async (body: unknown, status: number, expected: Parameters<typeof expectProblem>[2] = {}) => {
    const key = randomUUID();
    const reply = await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body, headers: { 'idempotency-key': key } },
      status,
      expected,
    );
    expect(await storedSession(app, c.workspaceId, idempotentId(c.workspaceId, 'session', key))).to.equal(null);
    return reply;
  };

  describe('400', () => {
    it('lists every missing required field', async () => {
      await rejectedCreate({}, 400, { paths: ['name', 'clientId', 'serviceIds', 'date', 'startTime'] });
    });

    it('lists every invalid field at once', async () => {
      await rejectedCreate(
        sessionBody(c, {
          name: ' ',
          serviceIds: [c.consultationId, c.consultationId],
          staffId: 'dr-smith',
          date: '2023-02-29',
          startTime: '24:00',
          durationMinutes: 1441,
          status: 'done',
          fieldValues: [{ fieldKey: 'bad key', value: {} }],
        }),
        400,
        {
          paths: [
            'name',
            'serviceIds',
            'staffId',
            'date',
            'startTime',
            'durationMinutes',
            'status',
            'fieldValues[0].fieldKey',
            'fieldValues[0].value',
          ],
        },
      );
    });

    it('names every unknown top-level property', async () => {
      await rejectedCreate(
        sessionBody(c, {
          id: 'a'.repeat(24),
          workspaceId: other.workspaceId,
          clientName: 'Mallory',
          invoice: { total: 0 },
          createdAt: '2020-01-01T00:00:00Z',
        }),
        400,
        {
          errors: ['id', 'workspaceId', 'clientName', 'invoice', 'createdAt'].map((path) => ({
            path,
            message: 'is not an allowed property',
          })),
        },
      );
    });

    it('rejects an empty serviceIds and more than 50 services', async () => {
      await rejectedCreate(sessionBody(c, { serviceIds: [] }), 400, { paths: ['serviceIds'] });
      const many = Array.from({ length: 51 }, (_, i) => (i + 1).toString(16).padStart(24, '0'));
      await rejectedCreate(sessionBody(c, { serviceIds: many }), 400, { paths: ['serviceIds'] });
    });

    it('rejects a body that is a JSON array, string or null', async () => {
      for (const rawBody of ['[]', '"session"', 'null']) {
        await expectRejected(
          app,
          'POST',
          sessionsPath(c),
          { token: c.token, rawBody, headers: { 'content-type': 'application/json' } },
          400,
        );
      }
    });

    it('answers 400 before 404 (an invalid field together with a missing client)', async () => {
      await rejectedCreate(sessionBody(c, { clientId: 'f'.repeat(24), startTime: '9:00' }), 400, { paths: ['startTime'] });
    });

    it('rejects a malformed Idempotency-Key with 400 (spaces, tabs, over 255 characters)', async () => {
      for (const key of ['has space', 'tab\there', 'x'.repeat(256)]) {
        await expectRejected(
          app,
          'POST',
          sessionsPath(c),
          { token: c.token, body: sessionBody(c), headers: { 'idempotency-key': key } },
          400,
          {
            paths: ['Idempotency-Key'],
          },
        );
      }
    });
  });

  describe('404', () => {
    const missing = 'f'.repeat(24);

    it('names a client that does not exist', async () => {
      const reply = await rejectedCreate(sessionBody(c, { clientId: missing }), 404, { paths: ['clientId'] });
      expect(reply.body.detail).to.include(missing);
    });

    it('treats a client of another workspace as not found', async () => {
      await rejectedCreate(sessionBody(c, { clientId: other.clientId }), 404, { paths: ['clientId'] });
    });

    it('names every missing service by its index', async () => {
      const reply = await rejectedCreate(sessionBody(c, { serviceIds: [c.consultationId, missing, other.checkupId] }), 404, {
        paths: ['serviceIds[1]', 'serviceIds[2]'],
      });
      expect(reply.body.detail).to.include(missing).and.include(other.checkupId);
    });

    it('names a staff member that does not exist or belongs to another workspace', async () => {
      await rejectedCreate(sessionBody(c, { staffId: missing }), 404, { paths: ['staffId'] });
      await rejectedCreate(sessionBody(c, { staffId: other.staffId }), 404, { paths: ['staffId'] });
    });

    it('answers 404 for a workspace that does not exist (token bound to it)', async () => {
      const ghost = '0'.repeat(24);
      const token = app.token({ sub: 'user-1', workspaceId: ghost, permissions: ['sessions.create'] });
      await expectRejected(app, 'POST', `/v1/workspace/${ghost}/sessions`, { token, body: sessionBody(c) }, 404, {
        paths: ['workspaceId'],
      });
    });

    it('answers 404 before 422 (a missing client with a products service)', async () => {
      await rejectedCreate(sessionBody(c, { clientId: missing, serviceIds: [c.productId] }), 404, { paths: ['clientId'] });
    });
  });

  describe('422', () => {
    it('names a service whose scope is not "sessions"', async () => {
      const reply = await rejectedCreate(sessionBody(c, { serviceIds: [c.consultationId, c.productId] }), 422, {
        paths: ['serviceIds[1]'],
      });
      expect(reply.body.errors[0].message).to.include(c.productId);
    });

    it('rejects a field value of phase "post"', async () => {
      await rejectedCreate(sessionBody(c, { fieldValues: [{ fieldKey: 'outcome', value: 'ok', phase: 'post' }] }), 422, {
        paths: ['fieldValues[0].phase'],
      });
    });

    it('rejects services that add up to more than 1440 minutes', async () => {
      const base = `/v1/workspace/${c.workspaceId}/services`;
      const ids: string[] = [];
      for (const durationMinutes of [1000, 500]) {
        const reply = await request(app.url, 'POST', base, {
          token: c.token,
          body: { name: `Long ${durationMinutes}`, scope: 'sessions', durationMinutes },
        });
        ids.push(reply.body.service.id);
      }
      await rejectedCreate(sessionBody(c, { serviceIds: ids }), 422, { paths: ['durationMinutes'] });
      // The same services with an explicit duration are fine: the request value wins.
      expect((await createSession(app, c, { serviceIds: ids, durationMinutes: 120 })).body.session.durationMinutes).to.equal(120);
    });
  });
});

describe('GET /v1/workspace/:workspaceId/sessions/:sessionId', () => {
  let app: TestApp;
  let c: Catalog;
  let other: Catalog;
  before(async () => {
    app = await startTestApp();
    other = await createCatalog(app, 'Other Clinic');
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  it('answers 404 for an unknown id and for a malformed id', async () => {
    for (const id of ['f'.repeat(24), 'not-an-id', 'F'.repeat(24), '1']) {
      await expectRejected(app, 'GET', `${sessionsPath(c)}/${id}`, { token: c.token }, 404);
    }
  });

  it("answers 404 for another workspace's session asked in this workspace", async () => {
    const foreign = (await createSession(app, other)).body.session.id;
    await expectRejected(app, 'GET', `${sessionsPath(c)}/${foreign}`, { token: c.token }, 404);
  });

  it("answers 403 to a token of another workspace, even for that workspace's own session id", async () => {
    const own = (await createSession(app, c)).body.session.id;
    await expectRejected(app, 'GET', `${sessionsPath(c)}/${own}`, { token: other.token }, 403);
  });

  it('needs sessions.read (sessions.create alone is a 403)', async () => {
    const own = (await createSession(app, c)).body.session.id;
    const token = app.token({ sub: 'writer', workspaceId: c.workspaceId, permissions: ['sessions.create'] });
    await expectRejected(app, 'GET', `${sessionsPath(c)}/${own}`, { token }, 403);
    const reader = app.token({ sub: 'reader', workspaceId: c.workspaceId, permissions: ['sessions.read'] });
    expect((await request(app.url, 'GET', `${sessionsPath(c)}/${own}`, { token: reader })).status).to.equal(200);
  });
});

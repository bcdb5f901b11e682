/**
 * No double bookings through the API: enforced by the event store (staff-day streams appended
 * atomically with the session), never by the read model.
 */
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { eventsAfter, expectProblem, expectRejected, sessionBody, sessionsPath } from './helpers.js';

describe('staff conflicts', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  const book = (overrides: Record<string, unknown>, token = c.token, headers: Record<string, string> = {}) =>
    request(app.url, 'POST', sessionsPath(c), {
      token,
      body: sessionBody(c, { serviceIds: [c.consultationId], date: '2024-06-03', ...overrides }),
      headers,
    });

  it('lets exactly one of 50 concurrent requests for overlapping slots of one staff member win; the others get 409 and append nothing', async () => {
    const before = await app.head();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => book({ startTime: `10:${String(i % 20).padStart(2, '0')}` })));
    const won = replies.filter((r) => r.status === 201);
    expect(won, replies.map((r) => r.status).join(',')).to.have.length(1);
    for (const lost of replies.filter((r) => r.status !== 201)) {
      expectProblem(lost, 409);
      expect(lost.body.type).to.equal('/problems/slot-conflict');
      expect(lost.body.conflicts).to.deep.equal([
        { sessionId: won[0]!.body.session.id, startAt: won[0]!.body.session.startAt, endAt: won[0]!.body.session.endAt },
      ]);
    }
    const appended = await eventsAfter(app, before);
    expect(appended.map((e) => e.type)).to.deep.equal(['SessionCreated', 'StaffTimeClaimed']);
  });

  it('books different slots of the same day, raced, all successfully', async () => {
    const replies = await Promise.all(['09', '11', '13', '15'].map((h) => book({ startTime: `${h}:00` })));
    expect(replies.map((r) => r.status)).to.deep.equal([201, 201, 201, 201]);
  });

  it('accepts back-to-back sessions', async () => {
    expect((await book({ startTime: '10:00' })).status).to.equal(201);
    expect((await book({ startTime: '10:30' })).status).to.equal(201);
    expect((await book({ startTime: '09:30' })).status).to.equal(201);
  });

  it('finds an overlap across midnight, on the second UTC day', async () => {
    const late = await book({ startTime: '23:45', durationMinutes: 60 });
    expect(late.status, late.text).to.equal(201);
    const reply = await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c, { date: '2024-06-04', startTime: '00:15', serviceIds: [c.consultationId] }) },
      409,
    );
    expect(reply.body.conflicts[0].sessionId).to.equal(late.body.session.id);
  });

  it('frees the time of a cancelled session at once', async () => {
    const first = await book({ startTime: '10:00' });
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c, { date: '2024-06-03', startTime: '10:00', serviceIds: [c.consultationId] }) },
      409,
    );
    const cancelled = await request(app.url, 'POST', `${sessionsPath(c)}/${first.body.session.id}/cancel`, {
      token: c.token,
      body: { reason: 'practice' },
      headers: { 'if-match': '"1"' },
    });
    expect(cancelled.status, cancelled.text).to.equal(200);
    expect((await book({ startTime: '10:00' })).status).to.equal(201);
  });

  it('refuses a PATCH that moves a session onto another, and accepts one that moves it to free time', async () => {
    await book({ startTime: '10:00' });
    const other = await book({ startTime: '12:00' });
    const path = `${sessionsPath(c)}/${other.body.session.id}`;
    const refused = await expectRejected(
      app,
      'PATCH',
      path,
      { token: c.token, body: { startTime: '10:15' }, headers: { 'if-match': '"1"' } },
      409,
    );
    expect(refused.body.type).to.equal('/problems/slot-conflict');
    const moved = await request(app.url, 'PATCH', path, { token: c.token, body: { startTime: '14:00' }, headers: { 'if-match': '"1"' } });
    expect(moved.status, moved.text).to.equal(200);
    // The old slot is free again.
    expect((await book({ startTime: '12:00' })).status).to.equal(201);
  });

  it('overbooks on purpose only with sessions.overbook (403 without) and a reason, and shows it in the view', async () => {
    const first = await book({ startTime: '10:00' });
    const withoutPermission = app.token({ sub: 'desk', workspaceId: c.workspaceId, permissions: ['sessions.create'] });
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      {
        token: withoutPermission,
        body: sessionBody(c, { date: '2024-06-03', startTime: '10:00', allowOverlap: true, overlapReason: 'emergency' }),
      },
      403,
    );
    const boss = app.token({
      sub: 'boss',
      name: 'Head of clinic',
      workspaceId: c.workspaceId,
      permissions: ['sessions.create', 'sessions.overbook'],
    });
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: boss, body: sessionBody(c, { date: '2024-06-03', startTime: '10:00', allowOverlap: true }) },
      400,
      { paths: ['overlapReason'] },
    );
    const over = await book({ startTime: '10:00', allowOverlap: true, overlapReason: 'emergency' }, boss);
    expect(over.status, over.text).to.equal(201);
    expect(over.body.session.overbooked).to.deep.equal({ reason: 'emergency', by: { userId: 'boss', name: 'Head of clinic' } });
    const busy = await request(
      app.url,
      'GET',
      `/v1/workspace/${c.workspaceId}/staff/${c.staffId}/busy?from=2024-06-03T00:00:00Z&to=2024-06-04T00:00:00Z`,
      { token: c.token },
    );
    expect(busy.body.busy.map((b: { sessionId: string }) => b.sessionId)).to.deep.equal([first.body.session.id, over.body.session.id]);
  });

  it('warns, without refusing, when the client already has a session at that time', async () => {
    const first = await book({ startTime: '10:00', staffId: null });
    const second = await book({ startTime: '10:15' });
    expect(second.status).to.equal(201);
    expect(second.body.warnings).to.deep.equal([{ code: 'client-overlap', sessionIds: [first.body.session.id] }]);
  });

  it('claims nothing for a session without staff or created cancelled, and holds the time of one created completed', async () => {
    const before = await app.head();
    expect((await book({ startTime: '10:00', staffId: null })).status).to.equal(201);
    expect((await book({ startTime: '10:00', status: 'cancelled' })).status).to.equal(201);
    expect((await eventsAfter(app, before)).map((e) => e.type)).to.deep.equal(['SessionCreated', 'SessionCreated']);
    expect((await book({ startTime: '10:00', status: 'completed' })).status).to.equal(201);
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c, { date: '2024-06-03', startTime: '10:00', serviceIds: [c.consultationId] }) },
      409,
    );
  });

  it('lists busy intervals from the staff-day streams, and rejects a bad range', async () => {
    const a = await book({ startTime: '10:00' });
    const b = await book({ date: '2024-06-04', startTime: '09:00' });
    const path = `/v1/workspace/${c.workspaceId}/staff/${c.staffId}/busy`;
    const reply = await request(app.url, 'GET', `${path}?from=2024-06-03T00:00:00Z&to=2024-06-05T00:00:00Z`, { token: c.token });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.body.busy).to.deep.equal([
      { sessionId: a.body.session.id, startAt: '2024-06-03T10:00:00.000Z', endAt: '2024-06-03T10:30:00.000Z' },
      { sessionId: b.body.session.id, startAt: '2024-06-04T09:00:00.000Z', endAt: '2024-06-04T09:30:00.000Z' },
    ]);
    await expectRejected(app, 'GET', `${path}?from=2024-06-05T00:00:00Z&to=2024-06-03T00:00:00Z`, { token: c.token }, 400, {
      paths: ['to'],
    });
    await expectRejected(app, 'GET', `${path}?from=2024-06-03&to=2024-06-04T00:00:00Z&x=1`, { token: c.token }, 400, {
      paths: ['from', 'x'],
    });
    await expectRejected(
      app,
      'GET',
      `/v1/workspace/${c.workspaceId}/staff/${'f'.repeat(24)}/busy?from=2024-06-03T00:00:00Z&to=2024-06-04T00:00:00Z`,
      { token: c.token },
      404,
    );
  });
});

describe('changing a session of another workspace', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());

  it('is a 404 for every change route, appending nothing, even with the id and its ETag', async () => {
    const mine = await createCatalog(app, 'Mine');
    const theirs = await createCatalog(app, 'Theirs');
    const created = await request(app.url, 'POST', sessionsPath(theirs), { token: theirs.token, body: sessionBody(theirs) });
    expect(created.status).to.equal(201);
    const foreign = `${sessionsPath(mine)}/${created.body.session.id}`;
    const ifMatch = { 'if-match': '"1"' };
    await expectRejected(app, 'PATCH', foreign, { token: mine.token, body: { name: 'Taken over' }, headers: ifMatch }, 404);
    await expectRejected(app, 'POST', `${foreign}/start`, { token: mine.token, headers: ifMatch }, 404);
    await expectRejected(app, 'POST', `${foreign}/complete`, { token: mine.token, headers: ifMatch }, 404);
    await expectRejected(app, 'POST', `${foreign}/cancel`, { token: mine.token, body: { reason: 'practice' }, headers: ifMatch }, 404);
    const still = await request(app.url, 'GET', `${sessionsPath(theirs)}/${created.body.session.id}`, { token: theirs.token });
    expect(still.body.session).to.deep.include({ name: 'Consultation Session', status: 'scheduled', version: 1 });
  });
});

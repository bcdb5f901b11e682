/**
 * The session routes after the create, over real HTTP against the composition root: list,
 * PATCH, start, complete, cancel, conditional GET; every error with its problem body and an
 * unmoved log head; the check order; Idempotency-Key on changes; the lost-update race and paging
 * under concurrent creates.
 */
import { expect } from 'chai';
import { sessionBoundsId } from '../../src/projections/sessionView.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { createSession, eventsAfter, expectProblem, expectRejected, sessionsPath, storedSession } from './helpers.js';

describe('session lifecycle over HTTP', () => {
  let now = '2024-01-15T10:00:00.000Z';
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp({ start: { clock: () => new Date(now) } });
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    now = '2024-01-15T10:00:00.000Z';
    c = await createCatalog(app);
  });

  const path = (id: string, suffix = '') => `${sessionsPath(c)}/${id}${suffix}`;
  // A staff member holds the time of their sessions: without a date of its own, each session gets a
  // day of its own (2024-01-20 + n) so that tests about other rules meet no slot conflict.
  let day = 0;
  const ownDay = () => new Date(Date.UTC(2024, 0, 20 + (day++ % 300))).toISOString().slice(0, 10);
  const newSession = async (overrides: Record<string, unknown> = {}) =>
    (await createSession(app, c, { ...('date' in overrides ? {} : { date: ownDay() }), ...overrides })).body.session;
  /** The session streams' events after `head` (staff-day claims are another stream's business). */
  const sessionEventsAfter = async (head: bigint | null) => (await eventsAfter(app, head)).filter((e) => e.streamId.startsWith('session-'));
  const patch = (id: string, body: unknown, headers: Record<string, string> = {}, token = c.token) =>
    request(app.url, 'PATCH', path(id), { token, body, headers: { 'if-match': '"1"', ...headers } });
  const tokenWith = (permissions: string[]) => app.token({ sub: 'user-2', name: 'Limited', workspaceId: c.workspaceId, permissions });

  describe('PATCH /sessions/:id', () => {
    it('reschedules with If-Match, answers the new document and ETag, appends one event and updates the view', async () => {
      const s = await newSession({ date: '2024-01-20' });
      const head = await app.head();
      now = '2024-01-16T08:00:00.000Z';
      const reply = await patch(s.id, { startTime: '14:00', reason: 'client asked' });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.headers.get('etag')).to.equal('"2"');
      expect(reply.body.session).to.deep.include({
        startTime: '14:00',
        endTime: '15:30',
        startAt: '2024-01-20T14:00:00.000Z',
        endAt: '2024-01-20T15:30:00.000Z',
        version: 2,
        updatedAt: now,
        createdAt: '2024-01-15T10:00:00.000Z',
      });
      const appended = await sessionEventsAfter(head);
      expect(appended.map((e) => e.type)).to.deep.equal(['SessionRescheduled']);
      expect(appended[0]!.data).to.deep.include({ reason: 'client asked' });
      expect(await storedSession(app, c.workspaceId, s.id)).to.deep.equal(reply.body.session);
    });

    it('accepts application/merge-patch+json and splits a mixed patch into one event per change, in one append', async () => {
      const s = await newSession();
      const head = await app.head();
      const reply = await request(app.url, 'PATCH', path(s.id), {
        token: c.token,
        rawBody: JSON.stringify({ name: 'Renamed', staffId: null, serviceIds: [c.checkupId] }),
        headers: { 'content-type': 'application/merge-patch+json', 'if-match': '"1"' },
      });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.body.session).to.deep.include({
        name: 'Renamed',
        staffId: null,
        staffName: null,
        serviceIds: [c.checkupId],
        durationMinutes: 60,
        endTime: '11:00',
        version: 5,
      });
      const appended = await sessionEventsAfter(head);
      expect(appended.map((e) => e.type)).to.deep.equal([
        'SessionDetailsChanged',
        'SessionServicesChanged',
        'SessionStaffReassigned',
        'SessionRescheduled',
      ]);
      expect(new Set(appended.map((e) => e.metadata.requestId)).size).to.equal(1);
    });

    it('a patch that changes nothing is a 200 with the current document and appends nothing', async () => {
      const s = await newSession();
      const head = await app.head();
      const reply = await patch(s.id, { name: s.name, startTime: s.startTime });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.headers.get('etag')).to.equal('"1"');
      expect(reply.body.session).to.deep.equal(s);
      expect(await app.head()).to.equal(head);
    });

    it('428 without If-Match, 412 with a stale one (currentVersion and ETag), 400 with a malformed one', async () => {
      const s = await newSession();
      await expectRejected(app, 'PATCH', path(s.id), { token: c.token, body: { name: 'x' } }, 428, { detailIncludes: ['If-Match'] });
      expect((await patch(s.id, { name: 'v2' })).status).to.equal(200);
      const stale = await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, body: { name: 'x' }, headers: { 'if-match': '"1"' } },
        412,
      );
      expect(stale.body.currentVersion).to.equal(2);
      expect(stale.headers.get('etag')).to.equal('"2"');
      await expectRejected(app, 'PATCH', path(s.id), { token: c.token, body: { name: 'x' }, headers: { 'if-match': 'W/"2"' } }, 400, {
        paths: ['If-Match'],
      });
    });

    it('400 for unknown fields and bad values, 404 for missing entries, 422 for broken rules, 409 for a status that refuses', async () => {
      const s = await newSession();
      const h = { token: c.token, headers: { 'if-match': '"1"' } };
      await expectRejected(app, 'PATCH', path(s.id), { ...h, body: { colour: 'red', durationMinutes: 0, reason: 'x'.repeat(501) } }, 400, {
        paths: ['colour', 'durationMinutes', 'reason'],
      });
      await expectRejected(app, 'PATCH', path(s.id), { ...h, body: { status: 'completed' } }, 400, { paths: ['status'] });
      await expectRejected(app, 'PATCH', path(s.id), { ...h, body: { staffId: 'aaaaaaaaaaaaaaaaaaaaaaaa' } }, 404, { paths: ['staffId'] });
      await expectRejected(app, 'PATCH', path(s.id), { ...h, body: { serviceIds: [c.productId] } }, 422, { paths: ['serviceIds[0]'] });
      await expectRejected(app, 'PATCH', path(s.id), { ...h, body: { fieldValues: [{ fieldKey: 'o', value: 1, phase: 'post' }] } }, 422, {
        paths: ['fieldValues[0].phase'],
      });
      const started = await request(app.url, 'POST', path(s.id, '/start'), { token: c.token, headers: { 'if-match': '"1"' } });
      expect(started.status, started.text).to.equal(200);
      const refused = await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, headers: { 'if-match': '"2"' }, body: { startTime: '12:00' } },
        409,
      );
      expect(refused.body).to.deep.include({
        type: '/problems/not-editable',
        sessionStatus: 'in-progress',
        allowed: { fields: ['name', 'durationMinutes', 'fieldValues', 'fieldValues.post'], actions: ['complete', 'cancel'] },
      });
    });

    it('404 for a session of another workspace, an unknown one, or a malformed id', async () => {
      const s = await newSession();
      const other = await createCatalog(app, 'Other');
      await expectRejected(
        app,
        'PATCH',
        `${sessionsPath(other)}/${s.id}`,
        { token: other.token, body: { name: 'x' }, headers: { 'if-match': '"1"' } },
        404,
      );
      await expectRejected(
        app,
        'PATCH',
        path('bbbbbbbbbbbbbbbbbbbbbbbb'),
        { token: c.token, body: { name: 'x' }, headers: { 'if-match': '"1"' } },
        404,
      );
      await expectRejected(app, 'PATCH', path('nope'), { token: c.token, body: { name: 'x' }, headers: { 'if-match': '"1"' } }, 404);
    });
  });

  describe('the check order 401, 403, 400, 404, 428, 412, 422, 409', () => {
    it('reports the first failing check of a request that fails them all', async () => {
      const s = await newSession();
      await request(app.url, 'POST', path(s.id, '/start'), { token: c.token, headers: { 'if-match': '"1"' } });
      const missing = 'cccccccccccccccccccccccc';
      const everything = { colour: 1 };
      // 401: no token, even with every other problem.
      await expectRejected(app, 'PATCH', path(missing), { body: everything }, 401);
      // 403: a token without sessions.update.
      await expectRejected(app, 'PATCH', path(missing), { token: tokenWith(['sessions.read']), body: everything }, 403);
      // 400 before 404.
      await expectRejected(app, 'PATCH', path(missing), { token: c.token, body: everything }, 400, { paths: ['colour'] });
      // 404 before 428.
      await expectRejected(app, 'PATCH', path(missing), { token: c.token, body: { name: 'x' } }, 404);
      // 428 before 412 and 422/409.
      await expectRejected(app, 'PATCH', path(s.id), { token: c.token, body: { serviceIds: [c.productId], startTime: '12:00' } }, 428);
      // 412 before 422/409.
      await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, body: { serviceIds: [c.productId] }, headers: { 'if-match': '"1"' } },
        412,
      );
      // 422 before 409 (the in-progress session refuses serviceIds too).
      await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, body: { serviceIds: [c.productId] }, headers: { 'if-match': '"2"' } },
        422,
      );
      await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, body: { serviceIds: [c.checkupId] }, headers: { 'if-match': '"2"' } },
        409,
      );
    });

    it('sessions.cancel is its own permission, and sessions.update does not grant it', async () => {
      const s = await newSession();
      const body = { reason: 'practice' };
      await expectRejected(
        app,
        'POST',
        path(s.id, '/cancel'),
        { token: tokenWith(['sessions.update', 'sessions.read']), body, headers: { 'if-match': '"1"' } },
        403,
      );
      await expectRejected(
        app,
        'POST',
        path(s.id, '/start'),
        { token: tokenWith(['sessions.cancel']), headers: { 'if-match': '"1"' } },
        403,
      );
      await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: tokenWith(['sessions.cancel']), body: { name: 'x' }, headers: { 'if-match': '"1"' } },
        403,
      );
      const reply = await request(app.url, 'POST', path(s.id, '/cancel'), {
        token: tokenWith(['sessions.cancel']),
        body,
        headers: { 'if-match': '"1"' },
      });
      expect(reply.status, reply.text).to.equal(200);
    });
  });

  describe('the actions', () => {
    it('start then complete: 200 with the document and ETag, startedAt and completedAt from the clock', async () => {
      const s = await newSession({ date: '2024-01-20' });
      now = '2024-01-20T10:02:00.000Z';
      const started = await request(app.url, 'POST', path(s.id, '/start'), { token: c.token, body: {}, headers: { 'if-match': '"1"' } });
      expect(started.status, started.text).to.equal(200);
      expect(started.headers.get('etag')).to.equal('"2"');
      expect(started.body.session).to.deep.include({ status: 'in-progress', startedAt: now, completedAt: null, version: 2 });
      now = '2024-01-20T11:40:00.000Z';
      const head = await app.head();
      const completed = await request(app.url, 'POST', path(s.id, '/complete'), { token: c.token, headers: { 'if-match': '"2"' } });
      expect(completed.status, completed.text).to.equal(200);
      expect(completed.body.session).to.deep.include({
        status: 'completed',
        startedAt: '2024-01-20T10:02:00.000Z',
        completedAt: now,
        version: 3,
        updatedAt: now,
      });
      expect((await sessionEventsAfter(head)).map((e) => [e.type, e.data])).to.deep.equal([
        ['SessionCompleted', { sessionId: s.id, workspaceId: c.workspaceId, from: 'in-progress' }],
      ]);
      const again = await expectRejected(app, 'POST', path(s.id, '/start'), { token: c.token, headers: { 'if-match': '"3"' } }, 409);
      expect(again.body).to.deep.include({
        type: '/problems/invalid-transition',
        sessionStatus: 'completed',
        allowed: { fields: ['fieldValues.post'], actions: [] },
      });
      await expectRejected(
        app,
        'POST',
        path(s.id, '/complete'),
        { token: c.token, body: { now: true }, headers: { 'if-match': '"3"' } },
        400,
        { paths: ['now'] },
      );
      await expectRejected(app, 'POST', path(s.id, '/complete'), { token: c.token }, 428);
    });

    it('cancel with a reason shows who and why; "other" needs a note; a cancelled session refuses everything', async () => {
      const s = await newSession();
      await expectRejected(
        app,
        'POST',
        path(s.id, '/cancel'),
        { token: c.token, body: { reason: 'other' }, headers: { 'if-match': '"1"' } },
        400,
        { paths: ['note'] },
      );
      await expectRejected(app, 'POST', path(s.id, '/cancel'), { token: c.token, headers: { 'if-match': '"1"' } }, 400);
      now = '2024-01-17T09:00:00.000Z';
      const reply = await request(app.url, 'POST', path(s.id, '/cancel'), {
        token: c.token,
        body: { reason: 'other', note: 'moving abroad' },
        headers: { 'if-match': '"1"' },
      });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.body.session).to.deep.include({ status: 'cancelled', version: 2 });
      expect(reply.body.session.cancellation).to.deep.equal({
        reason: 'other',
        note: 'moving abroad',
        at: now,
        by: { userId: 'user-1', name: 'Reception' },
      });
      const refused = await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, body: { name: 'x' }, headers: { 'if-match': '"2"' } },
        409,
      );
      expect(refused.body.allowed).to.deep.equal({ fields: [], actions: [] });
      await expectRejected(
        app,
        'POST',
        path(s.id, '/cancel'),
        { token: c.token, body: { reason: 'practice' }, headers: { 'if-match': '"2"' } },
        409,
      );
    });

    it('no-show is a 422 before startAt by the server clock, and accepted after it', async () => {
      const s = await newSession({ date: '2024-01-20' });
      now = '2024-01-20T09:59:59.000Z';
      await expectRejected(
        app,
        'POST',
        path(s.id, '/cancel'),
        { token: c.token, body: { reason: 'no-show' }, headers: { 'if-match': '"1"' } },
        422,
        { paths: ['reason'] },
      );
      now = '2024-01-20T10:20:00.000Z';
      const reply = await request(app.url, 'POST', path(s.id, '/cancel'), {
        token: c.token,
        body: { reason: 'no-show' },
        headers: { 'if-match': '"1"' },
      });
      expect(reply.status, reply.text).to.equal(200);
      expect(reply.body.session.cancellation.reason).to.equal('no-show');
    });
  });

  describe('GET /sessions/:id with If-None-Match', () => {
    it('is a 304 for the current ETag and a 200 once the session changed', async () => {
      const s = await newSession();
      const first = await request(app.url, 'GET', path(s.id), { token: c.token });
      expect(first.headers.get('etag')).to.equal('"1"');
      const notModified = await request(app.url, 'GET', path(s.id), { token: c.token, headers: { 'if-none-match': '"1"' } });
      expect(notModified.status).to.equal(304);
      expect(notModified.text).to.equal('');
      await patch(s.id, { name: 'New' });
      const changed = await request(app.url, 'GET', path(s.id), { token: c.token, headers: { 'if-none-match': '"1"' } });
      expect(changed.status).to.equal(200);
      expect(changed.headers.get('etag')).to.equal('"2"');
      expect(changed.body.session.name).to.equal('New');
      await expectRejected(app, 'GET', path('dddddddddddddddddddddddd'), { token: c.token, headers: { 'if-none-match': '"1"' } }, 404);
    });
  });

  describe('Idempotency-Key on PATCH and the actions', () => {
    it('a repeat answers the original status and body, even with a stale If-Match, and appends nothing', async () => {
      const s = await newSession();
      const key = { 'idempotency-key': `k-${s.id}` };
      const first = await patch(s.id, { name: 'Once' }, key);
      expect(first.status, first.text).to.equal(200);
      await patch(s.id, { name: 'Twice' }, { 'if-match': '"2"' });
      const head = await app.head();
      const repeat = await patch(s.id, { name: 'Once' }, key);
      expect(repeat.status, repeat.text).to.equal(200);
      expect(repeat.body).to.deep.equal(first.body);
      expect(repeat.headers.get('etag')).to.equal('"2"');
      expect(repeat.headers.get('idempotent-replayed')).to.equal('true');
      expect(await app.head()).to.equal(head);
    });

    it('the same key with another body is a 422; a rejected request does not use up its key', async () => {
      const s = await newSession();
      const key = { 'idempotency-key': `k2-${s.id}` };
      await expectRejected(app, 'PATCH', path(s.id), { token: c.token, body: { name: 'A' }, headers: { ...key, 'if-match': '"9"' } }, 412);
      await expectRejected(
        app,
        'PATCH',
        path(s.id),
        { token: c.token, body: { serviceIds: [c.productId] }, headers: { ...key, 'if-match': '"1"' } },
        422,
      );
      const ok = await patch(s.id, { name: 'A' }, key);
      expect(ok.status, ok.text).to.equal(200);
      await expectRejected(app, 'PATCH', path(s.id), { token: c.token, body: { name: 'B' }, headers: { ...key, 'if-match': '"2"' } }, 422, {
        paths: ['Idempotency-Key'],
      });
    });

    it('works for start and cancel alike', async () => {
      const s = await newSession();
      const startKey = { 'idempotency-key': `start-${s.id}`, 'if-match': '"1"' };
      const first = await request(app.url, 'POST', path(s.id, '/start'), { token: c.token, headers: startKey });
      const head = await app.head();
      const again = await request(app.url, 'POST', path(s.id, '/start'), { token: c.token, headers: startKey });
      expect([first.status, again.status]).to.deep.equal([200, 200]);
      expect(again.body).to.deep.equal(first.body);
      const cancelKey = { 'idempotency-key': `cancel-${s.id}`, 'if-match': '"2"' };
      const cancelled = await request(app.url, 'POST', path(s.id, '/cancel'), {
        token: c.token,
        body: { reason: 'practice' },
        headers: cancelKey,
      });
      const cancelledAgain = await request(app.url, 'POST', path(s.id, '/cancel'), {
        token: c.token,
        body: { reason: 'practice' },
        headers: cancelKey,
      });
      expect([cancelled.status, cancelledAgain.status]).to.deep.equal([200, 200]);
      expect(cancelledAgain.body).to.deep.equal(cancelled.body);
      expect((await sessionEventsAfter(head)).map((e) => e.type)).to.deep.equal(['SessionCancelled']);
    });
  });

  describe('a lost-update race', () => {
    it('two PATCHes with the same If-Match in parallel: one 200, one 412, one event', async () => {
      for (let round = 0; round < 3; round += 1) {
        const s = await newSession();
        const head = await app.head();
        const replies = await Promise.all([patch(s.id, { name: 'Left' }), patch(s.id, { startTime: '15:00' })]);
        const statuses = replies.map((r) => r.status).sort();
        expect(statuses, replies.map((r) => r.text).join('\n')).to.deep.equal([200, 412]);
        const loser = replies.find((r) => r.status === 412)!;
        expectProblem(loser, 412);
        expect(loser.body.currentVersion).to.equal(2);
        expect(await sessionEventsAfter(head)).to.have.length(1);
      }
    });
  });

  describe('a repeat racing its original', () => {
    it('two identical PATCHes with one Idempotency-Key in parallel: both 200 with the same body, one event', async () => {
      const s = await newSession();
      const head = await app.head();
      const key = { 'idempotency-key': `race-${s.id}` };
      const replies = await Promise.all([patch(s.id, { name: 'Raced' }, key), patch(s.id, { name: 'Raced' }, key)]);
      expect(replies.map((r) => r.status)).to.deep.equal([200, 200]);
      expect(replies[0].body).to.deep.equal(replies[1].body);
      expect((await sessionEventsAfter(head)).map((e) => e.type)).to.deep.equal(['SessionDetailsChanged']);
    });
  });

  describe('GET /sessions', () => {
    const list = (query: string, token = c.token) => request(app.url, 'GET', `${sessionsPath(c)}${query}`, { token });

    it('filters by overlap with [from, to), staff, client, service and status, sorted by startAt then id', async () => {
      const a = await newSession({ date: '2024-02-01', startTime: '09:00' });
      const b = await newSession({ date: '2024-02-01', startTime: '10:00', staffId: null, serviceIds: [c.consultationId] });
      const d = await newSession({ date: '2024-02-01', startTime: '23:30' });
      await newSession({ date: '2024-02-03', startTime: '09:00' });
      const day = await list('?from=2024-02-01&to=2024-02-02');
      expect(day.status, day.text).to.equal(200);
      expect(day.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([a.id, b.id, d.id]);
      expect(day.body.nextCursor).to.equal(null);
      expect(day.body.sessions[0]).to.deep.equal(await storedSession(app, c.workspaceId, a.id));
      // d runs 23:30 to 01:00 the next day: it overlaps 2 February too.
      expect(
        (await list('?from=2024-02-02T00:00:00Z&to=2024-02-03T00:00:00Z')).body.sessions.map((s: { id: string }) => s.id),
      ).to.deep.equal([d.id]);
      // [from, to) is half-open: a session ending at `from` does not match.
      expect((await list('?from=2024-02-01T10:30:00Z&to=2024-02-01T11:00:00Z')).body.sessions).to.deep.equal([]);
      expect(
        (await list('?from=2024-02-01T10:29:00Z&to=2024-02-01T11:00:00Z')).body.sessions.map((s: { id: string }) => s.id),
      ).to.deep.equal([a.id, b.id]);
      expect((await list('?from=2024-02-01T00:00:00Z&to=2024-02-01T09:00:00Z')).body.sessions).to.deep.equal([]);
      expect(
        (await list(`?from=2024-02-01&to=2024-02-02&staffId=${c.staffId}`)).body.sessions.map((s: { id: string }) => s.id),
      ).to.deep.equal([a.id, d.id]);
      expect(
        (await list(`?serviceId=${c.checkupId}&from=2024-02-01&to=2024-02-02`)).body.sessions.map((s: { id: string }) => s.id),
      ).to.deep.equal([a.id, d.id]);
      expect((await list(`?clientId=${c.clientId}&limit=2`)).body.sessions).to.have.length(2);
      await request(app.url, 'POST', path(b.id, '/cancel'), {
        token: c.token,
        body: { reason: 'practice' },
        headers: { 'if-match': '"1"' },
      });
      expect(
        (await list('?from=2024-02-01&to=2024-02-02&status=scheduled,in-progress')).body.sessions.map((s: { id: string }) => s.id),
      ).to.deep.equal([a.id, d.id]);
      expect((await list('?status=cancelled')).body.sessions.map((s: { id: string; version: number }) => [s.id, s.version])).to.deep.equal([
        [b.id, 2],
      ]);
    });

    it('pages with a cursor bound to its filters', async () => {
      const made = [];
      for (let i = 0; i < 5; i += 1) made.push(await newSession({ date: '2024-03-01', startTime: `0${i}:00`, durationMinutes: 30 }));
      const page1 = await list('?from=2024-03-01&limit=2');
      expect(page1.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([made[0]!.id, made[1]!.id]);
      const page2 = await list(`?from=2024-03-01&limit=2&cursor=${page1.body.nextCursor}`);
      expect(page2.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([made[2]!.id, made[3]!.id]);
      const page3 = await list(`?from=2024-03-01&limit=3&cursor=${page2.body.nextCursor}`);
      expect(page3.body.sessions.map((s: { id: string }) => s.id)).to.deep.equal([made[4]!.id]);
      expect(page3.body.nextCursor).to.equal(null);
      await expectRejected(app, 'GET', `${sessionsPath(c)}?from=2024-03-02&cursor=${page1.body.nextCursor}`, { token: c.token }, 400, {
        paths: ['cursor'],
      });
      const other = await createCatalog(app, 'Other');
      await expectRejected(
        app,
        'GET',
        `${sessionsPath(other)}?from=2024-03-01&cursor=${page1.body.nextCursor}`,
        { token: other.token },
        400,
        { paths: ['cursor'] },
      );
    });

    it('400 for unknown, repeated and malformed parameters (all named), and for a forged cursor', async () => {
      await expectRejected(
        app,
        'GET',
        `${sessionsPath(c)}?sort=name&limit=0&limit=3&from=tomorrow&status=done&staffId=x`,
        { token: c.token },
        400,
        {
          paths: ['sort', 'limit', 'from', 'status', 'staffId'],
        },
      );
      await expectRejected(app, 'GET', `${sessionsPath(c)}?from=2024-03-02&to=2024-03-01`, { token: c.token }, 400, { paths: ['to'] });
      await expectRejected(app, 'GET', `${sessionsPath(c)}?limit=201`, { token: c.token }, 400, { paths: ['limit'] });
      await expectRejected(
        app,
        'GET',
        `${sessionsPath(c)}?cursor=${Buffer.from('{"v":1,"s":"x","i":"y"}').toString('base64url')}`,
        { token: c.token },
        400,
        { paths: ['cursor'] },
      );
      await expectRejected(app, 'GET', `${sessionsPath(c)}?cursor=%%%`, { token: c.token }, 400, { paths: ['cursor'] });
    });

    it('401 without a token, 403 without sessions.read or for another workspace, 404 for an unknown workspace', async () => {
      await expectRejected(app, 'GET', sessionsPath(c), {}, 401);
      await expectRejected(app, 'GET', sessionsPath(c), { token: tokenWith(['sessions.update']) }, 403);
      const other = await createCatalog(app, 'Other');
      await expectRejected(app, 'GET', sessionsPath(other), { token: c.token }, 403);
      const platform = app.token({ sub: 'ops', permissions: ['sessions.read'] });
      const reply = await request(app.url, 'GET', '/v1/workspace/eeeeeeeeeeeeeeeeeeeeeeee/sessions', { token: platform });
      expect([403, 404]).to.include(reply.status);
      expectProblem(reply, reply.status);
    });

    it('lists a long session that began the day before, reading the start index only as far back as the longest session stored', async () => {
      const free = { staffId: null };
      // 20:00 on 1 May for 600 minutes: it ends at 06:00 on the day listed.
      const long = await newSession({ ...free, date: '2024-05-01', startTime: '20:00', durationMinutes: 600 });
      const morning = await newSession({ ...free, date: '2024-05-02', startTime: '09:00', durationMinutes: 30 });
      await newSession({ ...free, date: '2024-05-01', startTime: '08:00', durationMinutes: 30 });
      const day = async () => (await list('?from=2024-05-02&to=2024-05-03')).body.sessions.map((s: { id: string }) => s.id) as string[];
      expect(await day()).to.deep.equal([long.id, morning.id]);
      const readModel = app.running.stores.readModel;
      const bounds = () => readModel.find('sessions', c.workspaceId, sessionBoundsId(c.workspaceId));
      expect(await bounds()).to.deep.equal({
        id: sessionBoundsId(c.workspaceId),
        workspaceId: c.workspaceId,
        longestMinutes: 600,
        sinceCreation: true,
      });

      // On the embedded store, a row the bound says cannot exist: it starts 700 minutes before the
      // day (more than the longest session, less than a day) and overlaps it. A query that read
      // the index from a day before `from` would list it; one bounded by the longest session does
      // not read it.
      const sqlite = readModel instanceof SqliteStore ? readModel : null;
      const planted = { ...long, id: 'eeeeeeeeeeeeeeeeeeeeee01', startAt: '2024-05-01T12:20:00.000Z', endAt: '2024-05-02T01:00:00.000Z' };
      const withPlanted = (ids: string[]) => (sqlite ? [planted.id, ...ids] : ids);
      if (sqlite) {
        sqlite.db
          .prepare('INSERT INTO rm_sessions (id, workspace_id, doc, position) VALUES (?, ?, ?, 1)')
          .run(planted.id, c.workspaceId, JSON.stringify(planted));
        expect(await day()).to.deep.equal([long.id, morning.id]);
        // Bounds the view did not keep from the workspace's creation are not trusted: a day back.
        const setSinceCreation = (value: boolean) => {
          sqlite.db
            .prepare("UPDATE rm_sessions SET doc = json_set(doc, '$.sinceCreation', json(?)) WHERE id = ?")
            .run(String(value), sessionBoundsId(c.workspaceId));
          sqlite.invalidateDocumentCache();
        };
        setSinceCreation(false);
        expect(await day()).to.deep.equal(withPlanted([long.id, morning.id]));
        setSinceCreation(true);
        expect(await day()).to.deep.equal([long.id, morning.id]);
      }

      // A PATCH that lengthens a session raises the bound in the same write (the planted row is now in range).
      const longer = await patch(morning.id, { durationMinutes: 800 });
      expect(longer.status, longer.text).to.equal(200);
      expect(await bounds()).to.deep.include({ longestMinutes: 800 });
      expect(await day()).to.deep.equal(withPlanted([long.id, morning.id]));
      // Shortening it again does not lower the bound.
      expect((await patch(morning.id, { durationMinutes: 30 }, { 'if-match': '"2"' })).status).to.equal(200);
      expect(await bounds()).to.deep.include({ longestMinutes: 800 });

      // The bounds document is never listed, not even without any filter.
      const all = await list('?limit=200');
      expect(all.status, all.text).to.equal(200);
      expect(all.body.sessions.map((s: { id: string }) => s.id)).to.not.include(sessionBoundsId(c.workspaceId));
      expect(all.body.sessions).to.have.length(withPlanted([]).length + 3);
      if (sqlite) {
        sqlite.db.prepare('DELETE FROM rm_sessions WHERE id = ?').run(planted.id);
        sqlite.invalidateDocumentCache();
      }
    });

    it('paging under concurrent creates returns every session that matched before paging began exactly once', async () => {
      const before: string[] = [];
      const free = { staffId: null };
      for (let i = 0; i < 12; i += 1)
        before.push(
          (await newSession({ ...free, date: '2024-04-01', startTime: `${String(8 + (i % 6)).padStart(2, '0')}:00`, durationMinutes: 30 }))
            .id,
        );
      const seen: string[] = [];
      let cursor: string | null = null;
      let round = 0;
      do {
        const [page]: [Reply, ...unknown[]] = await Promise.all([
          list(`?from=2024-04-01&to=2024-04-02&limit=3${cursor ? `&cursor=${cursor}` : ''}`),
          // Concurrent creates before, inside and after the part already paged.
          newSession({ ...free, date: '2024-04-01', startTime: ['07:00', '10:00', '13:30', '09:00'][round % 4]!, durationMinutes: 30 }),
          newSession({ ...free, date: '2024-04-01', startTime: '12:00', durationMinutes: 30 }),
        ]);
        expect(page.status, page.text).to.equal(200);
        seen.push(...page.body.sessions.map((s: { id: string }) => s.id));
        cursor = page.body.nextCursor;
        round += 1;
      } while (cursor !== null && round < 50);
      expect(cursor).to.equal(null);
      expect(new Set(seen).size, 'no duplicates').to.equal(seen.length);
      for (const id of before) expect(seen, id).to.include(id);
    });
  });
});

import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createCatalog, platformToken, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { eventsAfter, expectRejected, sessionBody, sessionsPath, storedSession } from './helpers.js';

describe('Idempotency-Key on creates', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  const post = (path: string, body: unknown, key: string, token = c.token): Promise<Reply> =>
    request(app.url, 'POST', path, { token, body, headers: { 'idempotency-key': key } });

  it('answers a repeat with the same status, Location and identical body, appending nothing', async () => {
    const key = randomUUID();
    const body = sessionBody(c, { staffId: null });
    const before = await app.head();
    const first = await post(sessionsPath(c), body, key);
    expect(first.status, first.text).to.equal(201);
    const afterFirst = await app.head();
    expect(await eventsAfter(app, before)).to.have.length(1);

    for (let i = 0; i < 3; i += 1) {
      const repeat = await post(sessionsPath(c), body, key);
      expect(repeat.status).to.equal(201);
      expect(repeat.body).to.deep.equal(first.body);
      expect(repeat.headers.get('location')).to.equal(first.headers.get('location'));
      expect(repeat.headers.get('idempotent-replayed')).to.equal('true');
    }
    expect(first.headers.get('idempotent-replayed')).to.equal(null);
    expect(await app.head()).to.equal(afterFirst);
    const got = await request(app.url, 'GET', `${sessionsPath(c)}/${first.body.session.id}`, { token: c.token });
    expect(got.body).to.deep.equal(first.body);
  });

  it('recognises the same body with its keys in another order as a repeat', async () => {
    const key = randomUUID();
    const body = sessionBody(c, { fieldValues: [{ fieldKey: 'a', value: 1, phase: 'pre' }] });
    const first = await post(sessionsPath(c), body, key);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    reordered.fieldValues = [{ phase: 'pre', value: 1, fieldKey: 'a' }];
    const head = await app.head();
    const repeat = await post(sessionsPath(c), reordered, key);
    expect(repeat.status).to.equal(201);
    expect(repeat.body).to.deep.equal(first.body);
    expect(await app.head()).to.equal(head);
  });

  it('rejects the same key with a different body with 422, appending nothing', async () => {
    const key = randomUUID();
    const first = await post(sessionsPath(c), sessionBody(c), key);
    expect(first.status).to.equal(201);
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c, { startTime: '11:00' }), headers: { 'idempotency-key': key } },
      422,
      {
        paths: ['Idempotency-Key'],
      },
    );
    // The original is untouched.
    expect(await storedSession(app, c.workspaceId, first.body.session.id)).to.deep.equal(first.body.session);
  });

  it('rejects an invalid key with 400', async () => {
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c), headers: { 'idempotency-key': 'x'.repeat(256) } },
      400,
      {
        paths: ['Idempotency-Key'],
      },
    );
  });

  it('lists an invalid key together with invalid body fields in one 400', async () => {
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c, { startTime: '25:00', serviceIds: [] }), headers: { 'idempotency-key': 'has space' } },
      400,
      { paths: ['serviceIds', 'startTime', 'Idempotency-Key'] },
    );
  });

  it('accepts keys of 1 and 255 visible ASCII characters', async () => {
    for (const key of ['k', `${'~'.repeat(100)}${'!'.repeat(100)}${'Z'.repeat(55)}`]) {
      expect((await post(sessionsPath(c), sessionBody(c, { staffId: null }), key)).status).to.equal(201);
    }
  });

  it('does not spend a key on a rejected request: the key can then create with a corrected body', async () => {
    const key = randomUUID();
    await expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, body: sessionBody(c, { clientId: 'f'.repeat(24) }), headers: { 'idempotency-key': key } },
      404,
    );
    const created = await post(sessionsPath(c), sessionBody(c), key);
    expect(created.status, created.text).to.equal(201);
  });

  it("creates exactly one session, one event and one claim of the staff member's time for 20 concurrent repeats", async () => {
    const key = randomUUID();
    const body = sessionBody(c);
    const before = await app.head();
    const replies = await Promise.all(Array.from({ length: 20 }, () => post(sessionsPath(c), body, key)));
    for (const reply of replies) {
      expect(reply.status, reply.text).to.equal(201);
      expect(reply.body).to.deep.equal(replies[0]!.body);
    }
    const appended = await eventsAfter(app, before);
    expect(appended.map((e) => e.type)).to.deep.equal(['SessionCreated', 'StaffTimeClaimed']);
    expect(appended[0]!.streamId).to.equal(`session-${replies[0]!.body.session.id}`);
    expect(replies.filter((r) => r.headers.get('idempotent-replayed') === null)).to.have.length(1);
  });

  it('lets exactly one of 10 concurrent requests with one key and different bodies win; the others get 422', async () => {
    const key = randomUUID();
    const before = await app.head();
    const replies = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(sessionsPath(c), sessionBody(c, { startTime: `1${i}:00`, staffId: null }), key)),
    );
    expect(replies.filter((r) => r.status === 201)).to.have.length(1);
    expect(replies.filter((r) => r.status === 422)).to.have.length(9);
    expect(await eventsAfter(app, before)).to.have.length(1);
  });

  it('keeps the same key independent across workspaces', async () => {
    const other = await createCatalog(app, 'Other Clinic');
    const key = randomUUID();
    const here = await post(sessionsPath(c), sessionBody(c), key);
    const there = await post(sessionsPath(other), sessionBody(other), key, other.token);
    expect(here.status).to.equal(201);
    expect(there.status).to.equal(201);
    expect(there.headers.get('idempotent-replayed')).to.equal(null);
    expect(there.body.session.id).to.not.equal(here.body.session.id);
    expect(there.body.session.workspaceId).to.equal(other.workspaceId);
  });

  it('keeps the same key independent across endpoints', async () => {
    const key = randomUUID();
    const base = `/v1/workspace/${c.workspaceId}`;
    const before = await app.head();
    const client = await post(`${base}/clients`, { name: 'Jane' }, key);
    const staff = await post(`${base}/staff`, { name: 'Jane' }, key);
    const service = await post(`${base}/services`, { name: 'Jane', scope: 'sessions' }, key);
    const session = await post(sessionsPath(c), sessionBody(c, { staffId: null }), key);
    for (const reply of [client, staff, service, session]) {
      expect(reply.status, reply.text).to.equal(201);
      expect(reply.headers.get('idempotent-replayed')).to.equal(null);
    }
    expect(await eventsAfter(app, before)).to.have.length(4);
    // And each endpoint replays its own.
    expect((await post(`${base}/clients`, { name: 'Jane' }, key)).body).to.deep.equal(client.body);
    expect((await post(`${base}/staff`, { name: 'Jane' }, key)).body).to.deep.equal(staff.body);
  });

  it('scopes workspace creation keys to the platform user', async () => {
    const key = randomUUID();
    const admin = platformToken(app);
    const otherAdmin = app.token({ sub: 'another-admin', permissions: ['workspaces.create'] });
    const first = await post('/v1/workspaces', { name: 'Keyed Clinic' }, key, admin);
    const repeat = await post('/v1/workspaces', { name: 'Keyed Clinic' }, key, admin);
    const byOther = await post('/v1/workspaces', { name: 'Keyed Clinic' }, key, otherAdmin);
    expect(first.status).to.equal(201);
    expect(repeat.body).to.deep.equal(first.body);
    expect(repeat.headers.get('location')).to.equal(first.headers.get('location'));
    expect(byOther.status).to.equal(201);
    expect(byOther.body.workspace.id).to.not.equal(first.body.workspace.id);
    await expectRejected(
      app,
      'POST',
      '/v1/workspaces',
      { token: admin, body: { name: 'Other name' }, headers: { 'idempotency-key': key } },
      422,
    );
  });

  it('replays catalog creates with the same body and rejects a changed body', async () => {
    const key = randomUUID();
    const path = `/v1/workspace/${c.workspaceId}/services`;
    const first = await post(path, { name: 'خدمة', scope: 'sessions', durationMinutes: 15 }, key);
    const head = await app.head();
    expect((await post(path, { name: 'خدمة', scope: 'sessions', durationMinutes: 15 }, key)).body).to.deep.equal(first.body);
    expect(await app.head()).to.equal(head);
    await expectRejected(
      app,
      'POST',
      path,
      { token: c.token, body: { name: 'خدمة', scope: 'sessions', durationMinutes: 20 }, headers: { 'idempotency-key': key } },
      422,
    );
  });
});

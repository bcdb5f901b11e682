import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { eventsAfter, sessionBody, sessionsPath } from './helpers.js';

describe('concurrent creates', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  it('creates 50 distinct sessions for 50 parallel requests, with 50 SessionCreated events, all readable', async () => {
    const before = await app.head();
    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        request(app.url, 'POST', sessionsPath(c), {
          token: c.token,
          body: sessionBody(c, { name: `Session ${i}`, durationMinutes: i + 1, staffId: null }),
        }),
      ),
    );
    for (const reply of replies) expect(reply.status, reply.text).to.equal(201);
    const ids = replies.map((r) => r.body.session.id as string);
    expect(new Set(ids).size).to.equal(50);

    const appended = await eventsAfter(app, before);
    expect(appended).to.have.length(50);
    expect(appended.every((e) => e.type === 'SessionCreated' && e.revision === 0n)).to.equal(true);
    expect(new Set(appended.map((e) => e.streamId))).to.deep.equal(new Set(ids.map((id) => `session-${id}`)));
    expect(new Set(appended.map((e) => e.metadata.eventId)).size).to.equal(50);

    const gets = await Promise.all(ids.map((id) => request(app.url, 'GET', `${sessionsPath(c)}/${id}`, { token: c.token })));
    gets.forEach((got, i) => {
      expect(got.status).to.equal(200);
      // The 201 also warned that the client is booked at the same time (warnings are not part of the session).
      expect(got.body.session).to.deep.equal(replies[i]!.body.session);
      expect(got.body.session.name).to.equal(`Session ${i}`);
      expect(got.body.session.durationMinutes).to.equal(i + 1);
    });
  });

  it('keeps workspaces apart under concurrent load', async () => {
    const other = await createCatalog(app, 'Other Clinic');
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const target = i % 2 === 0 ? c : other;
        return request(app.url, 'POST', sessionsPath(target), { token: target.token, body: sessionBody(target, { staffId: null }) });
      }),
    );
    replies.forEach((reply, i) => {
      expect(reply.status, reply.text).to.equal(201);
      expect(reply.body.session.workspaceId).to.equal(i % 2 === 0 ? c.workspaceId : other.workspaceId);
      expect(reply.body.session.clientId).to.equal(i % 2 === 0 ? c.clientId : other.clientId);
    });
  });
});

describe('restart on the same data dir', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());

  it('serves every session, catalog entry and idempotent replay identically after a restart', async () => {
    const c = await createCatalog(app);
    const created = [];
    for (let i = 0; i < 5; i += 1) {
      const reply = await request(app.url, 'POST', sessionsPath(c), {
        token: c.token,
        body: sessionBody(c, { name: `Before restart ${i}`, startTime: `${10 + 2 * i}:00` }),
      });
      expect(reply.status).to.equal(201);
      created.push(reply.body);
    }
    const key = randomUUID();
    const keyed = await request(app.url, 'POST', sessionsPath(c), {
      token: c.token,
      body: sessionBody(c, { startTime: '20:00' }),
      headers: { 'idempotency-key': key },
    });
    expect(keyed.status).to.equal(201);
    const base = `/v1/workspace/${c.workspaceId}`;
    const catalogPaths = [base, `${base}/clients/${c.clientId}`, `${base}/services/${c.consultationId}`, `${base}/staff/${c.staffId}`];
    const catalogBefore = await Promise.all(catalogPaths.map((p) => request(app.url, 'GET', p, { token: c.token })));
    const headBefore = await app.head();
    const eventsBefore = await app.allEvents();

    app = await app.restart();

    expect(await app.head()).to.equal(headBefore);
    expect(await app.allEvents()).to.deep.equal(eventsBefore);
    for (const body of created) {
      const got = await request(app.url, 'GET', `${sessionsPath(c)}/${body.session.id}`, { token: c.token });
      expect(got.status).to.equal(200);
      expect(got.body).to.deep.equal(body);
    }
    const catalogAfter = await Promise.all(catalogPaths.map((p) => request(app.url, 'GET', p, { token: c.token })));
    catalogAfter.forEach((reply, i) => {
      expect(reply.status).to.equal(200);
      expect(reply.body).to.deep.equal(catalogBefore[i]!.body);
    });

    // The idempotency record survives: a repeat replays and appends nothing.
    const replay = await request(app.url, 'POST', sessionsPath(c), {
      token: c.token,
      body: sessionBody(c, { startTime: '20:00' }),
      headers: { 'idempotency-key': key },
    });
    expect(replay.status).to.equal(201);
    expect(replay.body).to.deep.equal(keyed.body);
    expect(await app.head()).to.equal(headBefore);

    // And the restarted app keeps writing after the old head.
    const next = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body: sessionBody(c, { startTime: '22:00' }) });
    expect(next.status).to.equal(201);
    expect((await app.head())! > headBefore!).to.equal(true);
  });
});

import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectProblem } from '../http/helpers.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('GET /v1/workspace/:workspaceId/sessions/:sessionId/history', () => {
  let app: TestApp;
  let a: Catalog;
  let b: Catalog;
  let sessionId: string;
  let created: Record<string, unknown>;
  let otherSessionId: string;
  const historyPath = (c: Catalog, id: string) => `/v1/workspace/${c.workspaceId}/sessions/${id}/history`;

  before(async () => {
    app = await startTestApp();
    [a, b] = [await createCatalog(app, 'A'), await createCatalog(app, 'B')];
    const reply = await request(app.url, 'POST', `/v1/workspace/${a.workspaceId}/sessions`, {
      token: a.token,
      headers: { 'X-Request-Id': 'req-history-1', 'X-Correlation-Id': 'corr-history-1' },
      body: {
        name: 'Consultation',
        clientId: a.clientId,
        serviceIds: [a.consultationId, a.checkupId],
        staffId: a.staffId,
        date: '2024-01-20T10:00:00Z',
        startTime: '10:00',
      },
    });
    expect(reply.status, reply.text).to.equal(201);
    sessionId = reply.body.session.id;
    created = reply.body.session;
    const other = await request(app.url, 'POST', `/v1/workspace/${b.workspaceId}/sessions`, {
      token: b.token,
      body: { name: 'Other', clientId: b.clientId, serviceIds: [b.checkupId], date: '2024-01-21', startTime: '09:00' },
    });
    otherSessionId = other.body.session.id;
  });
  after(async () => app.destroy());

  it("returns the session's events in order, each with who, when, which request and the data", async () => {
    const reply = await request(app.url, 'GET', historyPath(a, sessionId), { token: a.token });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.body.sessionId).to.equal(sessionId);
    expect(reply.body.events).to.have.length(1);
    const [event] = reply.body.events;
    expect(event).to.have.all.keys(
      'type',
      'schemaVersion',
      'revision',
      'occurredAt',
      'actor',
      'requestId',
      'correlationId',
      'eventId',
      'data',
    );
    expect(event).to.deep.include({
      type: 'SessionCreated',
      schemaVersion: 3,
      revision: 0,
      occurredAt: created.createdAt,
      actor: { userId: 'user-1', name: 'Reception' },
      requestId: 'req-history-1',
      correlationId: 'corr-history-1',
    });
    expect(event.eventId).to.match(uuid);
    const [stored] = await app.running.stores.events.readStream(`session-${sessionId}`);
    expect(event.data).to.deep.equal(stored!.data);
    expect(event.data).to.deep.include({
      sessionId,
      workspaceId: a.workspaceId,
      durationMinutes: 90,
      durationSource: 'services',
      summedServiceDurations: [30, 60],
    });
  });

  it('answers 404 for a session of another workspace, an unknown id and a malformed id', async () => {
    for (const id of [otherSessionId, 'aaaaaaaaaaaaaaaaaaaaaaaa', 'not-an-id']) {
      const reply = await request(app.url, 'GET', historyPath(a, id), { token: a.token });
      expectProblem(reply, 404);
      expect(reply.text).to.not.include(b.workspaceId);
    }
  });

  it('answers 403 without the sessions.audit permission, even with sessions.read', async () => {
    const token = app.token({ sub: 'user-1', workspaceId: a.workspaceId, permissions: ['sessions.read', 'audit.read'] });
    expectProblem(await request(app.url, 'GET', historyPath(a, sessionId), { token }), 403, { detailIncludes: ['sessions.audit'] });
  });

  it('answers 403 to a token of another workspace, and 401 without a token', async () => {
    expectProblem(await request(app.url, 'GET', historyPath(a, sessionId), { token: b.token }), 403);
    expectProblem(await request(app.url, 'GET', historyPath(a, sessionId), {}), 401);
  });

  it('appends nothing', async () => {
    const head = await app.head();
    await request(app.url, 'GET', historyPath(a, sessionId), { token: a.token });
    expect(await app.head()).to.equal(head);
  });
});

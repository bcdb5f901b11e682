import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { allPermissions } from '../../src/auth/tokens.js';
import { staffMemberAddedVersion } from '../../src/events/staff.js';
import { workspaceCreatedVersion } from '../../src/events/workspace.js';
import { createCatalog, platformToken, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { eventsAfter, expectRejected, isoMillisPattern, objectIdPattern, uuidPattern } from './helpers.js';

describe('catalog endpoints', () => {
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

  describe('POST /v1/workspaces and GET /v1/workspace/:workspaceId', () => {
    it('creates a workspace in UTC by default, with Location, and reads it back identically', async () => {
      const before = await app.head();
      const requestId = `ws-${randomUUID()}`;
      const reply = await request(app.url, 'POST', '/v1/workspaces', {
        token: platformToken(app),
        body: { name: '  عيادة الأمل  ' },
        headers: { 'x-request-id': requestId },
      });
      expect(reply.status, reply.text).to.equal(201);
      const ws = reply.body.workspace;
      expect(ws).to.have.all.keys('id', 'name', 'timeZone', 'version', 'createdAt', 'updatedAt');
      expect(ws.version).to.equal(1);
      expect(reply.headers.get('etag')).to.equal('"1"');
      expect(ws.id).to.match(objectIdPattern);
      expect(ws).to.include({ name: 'عيادة الأمل', timeZone: 'UTC' });
      expect(ws.createdAt).to.match(isoMillisPattern);
      expect(ws.updatedAt).to.equal(ws.createdAt);
      expect(reply.headers.get('location')).to.equal(`/v1/workspace/${ws.id}`);

      const [event] = await eventsAfter(app, before);
      expect(event).to.deep.include({ streamId: `workspace-${ws.id}`, type: 'WorkspaceCreated', revision: 0n });
      expect(event!.data).to.deep.equal({ workspaceId: ws.id, name: 'عيادة الأمل', timeZone: 'UTC' });
      expect(event!.metadata.eventId).to.match(uuidPattern);
      expect(event!.metadata).to.deep.include({
        occurredAt: ws.createdAt,
        actor: { userId: 'platform-admin', name: 'Platform Admin' },
        workspaceId: ws.id,
        requestId,
        correlationId: requestId,
        schemaVersion: workspaceCreatedVersion,
      });

      const token = app.token({ sub: 'anyone', workspaceId: ws.id, permissions: [] });
      const got = await request(app.url, 'GET', `/v1/workspace/${ws.id}`, { token });
      expect(got.status).to.equal(200);
      expect(got.body).to.deep.equal(reply.body);
    });

    it('keeps a given IANA time zone', async () => {
      const reply = await request(app.url, 'POST', '/v1/workspaces', {
        token: platformToken(app),
        body: { name: 'Riyadh', timeZone: 'Asia/Riyadh' },
      });
      expect(reply.body.workspace.timeZone).to.equal('Asia/Riyadh');
    });

    it('rejects an unknown time zone with 400 naming timeZone', async () => {
      for (const timeZone of ['Mars/Olympus', 'Europe/Pariss', '', null]) {
        await expectRejected(app, 'POST', '/v1/workspaces', { token: platformToken(app), body: { name: 'Clinic', timeZone } }, 400, {
          paths: ['timeZone'],
        });
      }
    });

    it('rejects a blank name, a 201-character name and unknown properties with 400', async () => {
      await expectRejected(app, 'POST', '/v1/workspaces', { token: platformToken(app), body: { name: ' ', id: 'a'.repeat(24) } }, 400, {
        paths: ['name', 'id'],
      });
      await expectRejected(app, 'POST', '/v1/workspaces', { token: platformToken(app), body: { name: 'ع'.repeat(201) } }, 400, {
        paths: ['name'],
      });
    });

    it('answers 404 for a workspace that does not exist and for a malformed id', async () => {
      for (const id of ['0'.repeat(24), 'nope']) {
        const token = app.token({ sub: 'u', workspaceId: id, permissions: allPermissions });
        await expectRejected(app, 'GET', `/v1/workspace/${id}`, { token }, 404);
      }
    });
  });

  describe('clients', () => {
    const path = (cat: Catalog) => `/v1/workspace/${cat.workspaceId}/clients`;

    it('creates a client with null optionals and reads it back identically', async () => {
      const reply = await request(app.url, 'POST', path(c), { token: c.token, body: { name: 'Jane Roe' } });
      expect(reply.status, reply.text).to.equal(201);
      const client = reply.body.client;
      expect(client).to.have.all.keys('id', 'workspaceId', 'name', 'email', 'phone', 'archived', 'version', 'createdAt', 'updatedAt');
      expect(client).to.include({ archived: false, version: 1 });
      expect(client).to.include({ workspaceId: c.workspaceId, name: 'Jane Roe', email: null, phone: null });
      expect(reply.headers.get('location')).to.equal(`${path(c)}/${client.id}`);
      const got = await request(app.url, 'GET', `${path(c)}/${client.id}`, { token: c.token });
      expect(got.body).to.deep.equal(reply.body);
    });

    it('keeps email and phone', async () => {
      const reply = await request(app.url, 'POST', path(c), {
        token: c.token,
        body: { name: 'Jane', email: 'jane@example.com', phone: '+966 11 555 0101' },
      });
      expect(reply.body.client).to.include({ email: 'jane@example.com', phone: '+966 11 555 0101' });
    });

    it('rejects invalid fields with 400, all listed', async () => {
      await expectRejected(app, 'POST', path(c), { token: c.token, body: { name: '', email: 'nope', phone: 'abc', vip: true } }, 400, {
        paths: ['name', 'email', 'phone', 'vip'],
      });
    });

    it("answers 404 for another workspace's client asked in this workspace, and for unknown or malformed ids", async () => {
      for (const id of [other.clientId, 'f'.repeat(24), 'bad-id']) {
        await expectRejected(app, 'GET', `${path(c)}/${id}`, { token: c.token }, 404);
      }
    });

    it('answers 404 when the workspace does not exist, appending nothing', async () => {
      const ghost = '1'.repeat(24);
      const token = app.token({ sub: 'u', workspaceId: ghost, permissions: allPermissions });
      await expectRejected(app, 'POST', `/v1/workspace/${ghost}/clients`, { token, body: { name: 'Jane' } }, 404, {
        paths: ['workspaceId'],
      });
    });
  });

  describe('services', () => {
    const path = (cat: Catalog) => `/v1/workspace/${cat.workspaceId}/services`;

    it('creates a service with durationMinutes null when absent, and reads it back identically', async () => {
      const reply = await request(app.url, 'POST', path(c), { token: c.token, body: { name: ' فحص عام ', scope: 'sessions' } });
      expect(reply.status, reply.text).to.equal(201);
      const service = reply.body.service;
      expect(service).to.have.all.keys(
        'id',
        'workspaceId',
        'name',
        'scope',
        'durationMinutes',
        'archived',
        'version',
        'createdAt',
        'updatedAt',
      );
      expect(service).to.include({ archived: false, version: 1 });
      expect(service).to.include({ workspaceId: c.workspaceId, name: 'فحص عام', scope: 'sessions', durationMinutes: null });
      expect(reply.headers.get('location')).to.equal(`${path(c)}/${service.id}`);
      expect((await request(app.url, 'GET', `${path(c)}/${service.id}`, { token: c.token })).body).to.deep.equal(reply.body);
    });

    it('keeps a duration and any non-empty scope', async () => {
      const reply = await request(app.url, 'POST', path(c), {
        token: c.token,
        body: { name: 'Pack', scope: 'products', durationMinutes: 0 },
      });
      expect(reply.body.service).to.include({ scope: 'products', durationMinutes: 0 });
    });

    it('rejects a missing scope and an out-of-range duration with 400', async () => {
      await expectRejected(app, 'POST', path(c), { token: c.token, body: { name: 'X', durationMinutes: 1441 } }, 400, {
        paths: ['scope', 'durationMinutes'],
      });
      await expectRejected(app, 'POST', path(c), { token: c.token, body: { name: 'X', scope: '', durationMinutes: -1 } }, 400, {
        paths: ['scope', 'durationMinutes'],
      });
    });

    it("answers 404 for another workspace's service asked in this workspace", async () => {
      await expectRejected(app, 'GET', `${path(c)}/${other.consultationId}`, { token: c.token }, 404);
    });
  });

  describe('staff', () => {
    const path = (cat: Catalog) => `/v1/workspace/${cat.workspaceId}/staff`;

    it('creates a staff member with email null when absent, and reads it back identically', async () => {
      const reply = await request(app.url, 'POST', path(c), { token: c.token, body: { name: 'د. سارة' } });
      expect(reply.status, reply.text).to.equal(201);
      const staff = reply.body.staff;
      expect(staff).to.have.all.keys('id', 'workspaceId', 'name', 'email', 'archived', 'version', 'createdAt', 'updatedAt');
      expect(staff).to.include({ archived: false, version: 1 });
      expect(staff).to.include({ workspaceId: c.workspaceId, name: 'د. سارة', email: null });
      expect(reply.headers.get('location')).to.equal(`${path(c)}/${staff.id}`);
      expect((await request(app.url, 'GET', `${path(c)}/${staff.id}`, { token: c.token })).body).to.deep.equal(reply.body);
    });

    it('rejects an invalid email with 400', async () => {
      await expectRejected(app, 'POST', path(c), { token: c.token, body: { name: 'Sara', email: 'sara@' } }, 400, { paths: ['email'] });
    });

    it("answers 404 for another workspace's staff member asked in this workspace", async () => {
      await expectRejected(app, 'GET', `${path(c)}/${other.staffId}`, { token: c.token }, 404);
    });
  });

  it('records complete metadata on catalog events (actor from the token, request and correlation ids)', async () => {
    const before = await app.head();
    const token = app.token({ sub: 'front-desk', name: 'Front Desk', workspaceId: c.workspaceId, permissions: allPermissions });
    await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/staff`, {
      token,
      body: { name: 'Dr. Who' },
      headers: { 'x-request-id': 'staff-req-1', 'x-correlation-id': 'onboarding-42' },
    });
    const [event] = await eventsAfter(app, before);
    expect(event!.type).to.equal('StaffMemberAdded');
    expect(event!.metadata).to.deep.include({
      actor: { userId: 'front-desk', name: 'Front Desk' },
      workspaceId: c.workspaceId,
      requestId: 'staff-req-1',
      correlationId: 'onboarding-42',
      schemaVersion: staffMemberAddedVersion,
    });
    expect(event!.metadata.eventId).to.match(uuidPattern);
    expect(event!.metadata.occurredAt).to.match(isoMillisPattern);
  });
});

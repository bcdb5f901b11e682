import { expect } from 'chai';
import { auditPage } from '../../src/audit/auditLog.js';
import { encodeCursor } from '../../src/audit/cursor.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectProblem } from '../http/helpers.js';

interface Item {
  position: string;
  streamId: string;
  workspaceId: string;
  type: string;
  schemaVersion: number;
  revision: number;
  occurredAt: string;
  actor: { userId: string; name?: string };
  eventId: string;
  data: unknown;
}

describe('GET /v1/workspace/:workspaceId/audit', () => {
  let app: TestApp;
  let a: Catalog;
  let b: Catalog;
  let now = Date.parse('2024-05-01T08:00:00.000Z');
  let secondActorToken: string;
  const auditPath = (c: Catalog, query = '') => `/v1/workspace/${c.workspaceId}/audit${query ? `?${query}` : ''}`;
  const get = (c: Catalog, query = '', token = c.token): Promise<Reply> => request(app.url, 'GET', auditPath(c, query), { token });
  const createSession = async (c: Catalog, token: string, name: string): Promise<void> => {
    const reply = await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, {
      token,
      body: { name, clientId: c.clientId, serviceIds: [c.checkupId], date: '2024-06-01', startTime: '09:00' },
    });
    expect(reply.status, reply.text).to.equal(201);
  };
  /** Every event of the workspace, straight from the store. */
  const workspaceEvents = async (c: Catalog) => {
    const events = [];
    for await (const e of app.running.stores.events.readAll({ workspaceId: c.workspaceId })) events.push(e);
    return events;
  };

  before(async () => {
    // Each event gets its own minute, so that time filters have exact boundaries.
    app = await startTestApp({ start: { clock: () => new Date((now += 60_000)) } });
    a = await createCatalog(app, 'A');
    b = await createCatalog(app, 'B');
    secondActorToken = app.token({ sub: 'user-2', name: 'Nurse', workspaceId: a.workspaceId, permissions: ['sessions.create'] });
    for (let i = 0; i < 4; i += 1) {
      await createSession(a, a.token, `A by user-1 #${i}`);
      await createSession(a, secondActorToken, `A by user-2 #${i}`);
      await createSession(b, b.token, `B #${i}`);
    }
  });
  after(async () => app.destroy());

  it('lists every event of the workspace in global order, with its audit fields, and none of another workspace', async () => {
    const reply = await get(a, 'limit=500');
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.body.hasMore).to.equal(false);
    expect(reply.body.nextCursor).to.be.a('string');
    const items = reply.body.items as Item[];
    const expected = await workspaceEvents(a);
    expect(items.map((i) => i.eventId)).to.deep.equal(expected.map((e) => e.metadata.eventId));
    expect(items).to.have.length(6 + 1 + 8);
    for (const item of items) {
      expect(item).to.have.all.keys(
        'position',
        'streamId',
        'workspaceId',
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
      expect(item.workspaceId).to.equal(a.workspaceId);
    }
    const positions = items.map((i) => BigInt(i.position));
    expect(positions.every((p, i) => i === 0 || p > positions[i - 1]!)).to.equal(true);
    const bIds = new Set((await workspaceEvents(b)).map((e) => e.metadata.eventId));
    expect(items.some((i) => bIds.has(i.eventId))).to.equal(false);
  });

  it('filters by type (repeated or comma-separated) and by actor', async () => {
    const sessions = (await get(a, 'type=SessionCreated')).body.items as Item[];
    expect(sessions).to.have.length(8);
    expect(sessions.every((i) => i.type === 'SessionCreated')).to.equal(true);
    const catalog = (await get(a, 'type=ClientRegistered,StaffMemberAdded&type=WorkspaceCreated')).body.items as Item[];
    expect(catalog.map((i) => i.type).sort()).to.deep.equal(['ClientRegistered', 'StaffMemberAdded', 'WorkspaceCreated']);
    const byUser2 = (await get(a, 'actorId=user-2')).body.items as Item[];
    expect(byUser2).to.have.length(4);
    expect(byUser2.every((i) => i.actor.userId === 'user-2' && i.actor.name === 'Nurse')).to.equal(true);
  });

  it('filters by time, from inclusive and to exclusive', async () => {
    const all = (await get(a)).body.items as Item[];
    const [from, to] = [all[3]!.occurredAt, all[7]!.occurredAt];
    const slice = (await get(a, `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`)).body.items as Item[];
    expect(slice.map((i) => i.eventId)).to.deep.equal(all.slice(3, 7).map((i) => i.eventId));
    const sinceOffset = (await get(a, `from=${encodeURIComponent('2024-05-01T10:00:00+02:00')}`)).body.items as Item[];
    expect(sinceOffset).to.have.length(all.filter((i) => i.occurredAt >= '2024-05-01T08:00:00.000Z').length);
  });

  it('pages with an opaque cursor: the pages put together are the whole log, once', async () => {
    const collected: Item[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const reply = await get(a, `limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status, reply.text).to.equal(200);
      collected.push(...(reply.body.items as Item[]));
      cursor = reply.body.nextCursor;
      pages += 1;
      if (!reply.body.hasMore) break;
    }
    expect(pages).to.equal(4);
    expect(collected.map((i) => i.eventId)).to.deep.equal((await workspaceEvents(a)).map((e) => e.metadata.eventId));
    const again = await get(a, `cursor=${cursor}`);
    expect(again.body).to.deep.include({ items: [], hasMore: false, nextCursor: cursor });
  });

  it('rejects bad parameters with one 400 naming each of them', async () => {
    expectProblem(await get(a, 'limit=0&from=2024-02-30&foo=1&type=no%20such'), 400, { paths: ['limit', 'from', 'foo', 'type'] });
    for (const limit of ['501', 'abc', '1.5', '-1', '']) expectProblem(await get(a, `limit=${limit}`), 400, { paths: ['limit'] });
    expectProblem(await get(a, 'from=2024-05-02&to=2024-05-01'), 400, { paths: ['to'] });
    expectProblem(await get(a, 'actorId=a&actorId=b'), 400, { paths: ['actorId'] });
    expectProblem(await get(a, 'to=yesterday'), 400, { paths: ['to'] });
  });

  it('rejects a cursor that is not one, and one issued for another workspace', async () => {
    for (const cursor of [
      '%21%21%21',
      'bm90LWpzb24',
      Buffer.from(JSON.stringify({ v: 1, w: a.workspaceId, p: '-1' })).toString('base64url'),
    ]) {
      expectProblem(await get(a, `cursor=${cursor}`), 400, { paths: ['cursor'] });
    }
    const fromB = (await get(b, 'limit=1')).body.nextCursor as string;
    expectProblem(await get(a, `cursor=${fromB}`), 400, { errors: [{ path: 'cursor', message: 'it was issued for another workspace' }] });
  });

  it("never shows another workspace's events, even from a forged cursor pointing into them", async () => {
    const bEvents = await workspaceEvents(b);
    const target = bEvents[bEvents.length - 4]!.position;
    const forged = Buffer.from(JSON.stringify({ v: 1, w: a.workspaceId, p: (target - 1n).toString() })).toString('base64url');
    const reply = await get(a, `cursor=${forged}&limit=500`);
    expect(reply.status, reply.text).to.equal(200);
    const items = reply.body.items as Item[];
    expect(items.length).to.be.greaterThan(0);
    expect(items.every((i) => i.workspaceId === a.workspaceId && BigInt(i.position) >= target)).to.equal(true);
  });

  it('answers 403 without audit.read and to a token of another workspace, 401 without a token', async () => {
    const withoutPermission = app.token({ sub: 'user-1', workspaceId: a.workspaceId, permissions: ['sessions.read', 'sessions.audit'] });
    expectProblem(await get(a, '', withoutPermission), 403, { detailIncludes: ['audit.read'] });
    expectProblem(await get(a, '', b.token), 403);
    expectProblem(await request(app.url, 'GET', auditPath(a), {}), 401);
  });

  it('answers 404 for a workspace that does not exist', async () => {
    const ghost = 'abcdefabcdefabcdefabcdef';
    const token = app.token({ sub: 'user-1', workspaceId: ghost, permissions: ['audit.read'] });
    expectProblem(await request(app.url, 'GET', `/v1/workspace/${ghost}/audit`, { token }), 404);
  });

  it('bounds the events examined per page: a selective filter gives short pages that still cover everything once', async () => {
    const events = app.running.stores.events;
    const found: string[] = [];
    let after: bigint | null = null;
    let pages = 0;
    for (;;) {
      const page = await auditPage(events, { workspaceId: a.workspaceId, actorId: 'user-2', after, limit: 100, scanLimit: 3 });
      found.push(...page.items.map((i) => i.eventId));
      pages += 1;
      if (!page.hasMore) break;
      after = BigInt(JSON.parse(Buffer.from(page.nextCursor, 'base64url').toString()).p);
    }
    expect(pages).to.equal(5);
    const expected = (await workspaceEvents(a)).filter((e) => e.metadata.actor.userId === 'user-2').map((e) => e.metadata.eventId);
    expect(found).to.deep.equal(expected);
    expect(encodeCursor(a.workspaceId, null)).to.be.a('string');
  });
});

import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

describe('paging the audit log while sessions keep being created', () => {
  let app: TestApp;
  let c: Catalog;
  let other: Catalog;
  before(async () => {
    app = await startTestApp();
    [c, other] = [await createCatalog(app, 'Reviewed'), await createCatalog(app, 'Busy neighbour')];
  });
  after(async () => app.destroy());

  it("neither skips nor repeats an event: the pages put together are exactly the workspace's log", async () => {
    // A property, not a `let`: the writer changes it while this test awaits, which TypeScript's flow analysis cannot see.
    const progress = { writing: true };
    const create = (catalog: Catalog, i: number) =>
      request(app.url, 'POST', `/v1/workspace/${catalog.workspaceId}/sessions`, {
        token: catalog.token,
        body: { name: `s${i}`, clientId: catalog.clientId, serviceIds: [catalog.checkupId], date: '2024-06-01', startTime: '09:00' },
      });
    const writer = (async () => {
      for (let i = 0; i < 60; i += 1) {
        // Two at a time in the reviewed workspace (one group commit), one in the other.
        const replies = await Promise.all([create(c, i), create(c, i + 1000), create(other, i)]);
        for (const reply of replies) expect(reply.status, reply.text).to.equal(201);
      }
      progress.writing = false;
    })();

    const seen: { eventId: string; position: bigint }[] = [];
    let cursor: string | undefined;
    let pagesWhileWriting = 0;
    for (;;) {
      const stillWriting = progress.writing;
      const reply = await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, {
        token: c.token,
      });
      expect(reply.status, reply.text).to.equal(200);
      for (const item of reply.body.items as { eventId: string; position: string; workspaceId: string }[]) {
        expect(item.workspaceId).to.equal(c.workspaceId);
        seen.push({ eventId: item.eventId, position: BigInt(item.position) });
      }
      cursor = reply.body.nextCursor;
      if (stillWriting) pagesWhileWriting += 1;
      // Caught up with a writer still going: come back for more from the same cursor.
      if (!reply.body.hasMore && !stillWriting) break;
      if (!reply.body.hasMore) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await writer;

    expect(pagesWhileWriting, 'the review overlapped the writes').to.be.greaterThan(3);
    const log = [];
    for await (const event of app.running.stores.events.readAll({ workspaceId: c.workspaceId })) log.push(event.metadata.eventId);
    expect(log).to.have.length(7 + 120);
    expect(seen.map((s) => s.eventId)).to.deep.equal(log);
    expect(new Set(seen.map((s) => s.eventId)).size).to.equal(seen.length);
    expect(seen.every((s, i) => i === 0 || s.position > seen[i - 1]!.position)).to.equal(true);
  });
});

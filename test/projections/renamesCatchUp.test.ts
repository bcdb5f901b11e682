/**
 * The path the async projector takes (events read from the log after a checkpoint, applied by the
 * read model in pages), as opposed to the inline path: a rename appended while the sessions view
 * was not projecting reaches every session when the view catches up.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { DomainEvent, SessionCreated } from '../../src/events/index.js';
import { projectableEvents, SkippedEvents } from '../../src/projections/projectableEvents.js';
import { allProjections } from '../../src/projections/index.js';
import { catchUp } from '../../src/projections/projector.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';
import { clientRegistered, commandMetadata, createSession, given, newId, serviceDefined, workspaceCreated } from '../commands/scenario.js';
import { aggregateStream } from '../support/specification.js';

describe("renames applied by a catch-up (the async projector's path)", () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-catchup-'));
    store = new SqliteStore({ path: path.join(dir, 'db.sqlite'), projections: allProjections });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('updates the sessions that show the service, in pages, and none other', async () => {
    const workspaceId = newId();
    const [clientId, serviceId, otherService] = [newId(), newId(), newId()];
    const catalog: DomainEvent[] = [
      workspaceCreated(workspaceId),
      clientRegistered(workspaceId, clientId),
      serviceDefined(workspaceId, serviceId, 30, { name: 'Old' }),
      serviceDefined(workspaceId, otherService, 30, { name: 'Other' }),
    ];
    const sessions: SessionCreated[] = [];
    for (let i = 0; i < 30; i += 1) {
      given(...catalog)
        .when(
          createSession(
            { name: `s${i}`, clientId, serviceIds: [i % 3 === 0 ? otherService : serviceId], date: '2024-01-20', startTime: '10:00' },
            { workspaceId, id: newId() },
          ),
        )
        .thenSession((e) => sessions.push(e));
    }
    const renamed: DomainEvent = {
      type: 'ServiceRenamed',
      data: { serviceId, workspaceId, from: 'Old', to: 'New' },
      metadata: { ...commandMetadata(workspaceId), schemaVersion: 1 },
    };
    const log = [...catalog, ...sessions, renamed];
    const revisions = new Map<string, number>();
    for (const event of log) {
      const stream = aggregateStream(event).replace(/Id-/, '-');
      const revision = revisions.get(stream) ?? -1;
      await store.append(
        stream,
        [{ ...event, metadata: { ...event.metadata, eventId: randomUUID() } }],
        revision < 0 ? 'no_stream' : BigInt(revision),
      );
      revisions.set(stream, revision + 1);
    }
    expect(await store.checkpoint('sessions')).to.equal(null);

    const result = await catchUp(projectableEvents(store, new SkippedEvents()), store, allProjections, 7);
    expect(result.applied).to.be.greaterThan(0);
    const docs = await store.findMany(
      'sessions',
      workspaceId,
      sessions.map((s) => s.data.sessionId),
    );
    expect(docs).to.have.length(30);
    for (const doc of docs) {
      expect(doc.serviceNames).to.deep.equal([(doc.serviceIds as string[])[0] === serviceId ? 'New' : 'Other']);
    }
  });
});

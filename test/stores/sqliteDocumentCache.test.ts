import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { EventMetadata } from '../../src/events/envelope.js';
import type { Projection } from '../../src/projections/projection.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import type { Document } from '../../src/stores/readModel.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

/** A projection whose documents change with every event, so stale reads would show. */
const notes: Projection = {
  name: 'notes',
  collection: 'notes',
  handles: ['NoteWritten'],
  documents: (event: StoredEvent) => {
    const data = event.data as { noteId: string; workspaceId: string };
    return { workspaceId: data.workspaceId, ids: [data.noteId] };
  },
  evolve: (_current: Document | null, event: StoredEvent) => {
    const data = event.data as { noteId: string; workspaceId: string; text: string };
    return { id: data.noteId, workspaceId: data.workspaceId, text: data.text };
  },
};

const metadata = (workspaceId: string): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt: '2024-01-15T10:00:00.000Z',
  actor: { userId: 'tester' },
  workspaceId,
  requestId: 'req',
  correlationId: 'corr',
  schemaVersion: 1,
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('the SQLite read model document cache', () => {
  let dir: string;
  let store: SqliteStore;
  const workspaceId = 'ws-1';
  const write = (target: SqliteStore, noteId: string, text: string) =>
    target.append(`note-${noteId}`, [{ type: 'NoteWritten', data: { noteId, workspaceId, text }, metadata: metadata(workspaceId) }], 'any');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-cache-'));
    store = new SqliteStore({ path: path.join(dir, 'sessions.db'), inlineProjections: [notes] });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a document changed by a projection on the same connection as changed, at once', async () => {
    await write(store, 'n1', 'first');
    expect((await store.find('notes', workspaceId, 'n1'))!.text).to.equal('first');
    await write(store, 'n1', 'second');
    expect((await store.find('notes', workspaceId, 'n1'))!.text).to.equal('second');
    expect((await store.findMany('notes', workspaceId, ['n1']))[0]!.text).to.equal('second');
  });

  it('sees a commit by another connection (another process, a rebuild) from the next turn of the event loop', async () => {
    await write(store, 'n1', 'first');
    expect((await store.find('notes', workspaceId, 'n1'))!.text).to.equal('first');
    const other = new SqliteStore({ path: path.join(dir, 'sessions.db'), inlineProjections: [notes] });
    try {
      await write(other, 'n1', 'written elsewhere');
    } finally {
      await other.close();
    }
    await nextTurn();
    expect((await store.find('notes', workspaceId, 'n1'))!.text).to.equal('written elsewhere');
  });

  it('still answers null for a cached document asked for in another workspace', async () => {
    await write(store, 'n1', 'first');
    expect(await store.find('notes', workspaceId, 'n1')).to.not.equal(null);
    expect(await store.find('notes', 'ws-2', 'n1')).to.equal(null);
    expect(await store.findMany('notes', 'ws-2', ['n1'])).to.deep.equal([]);
  });

  it('hands out frozen documents, so a caller cannot change what the next caller reads', async () => {
    await write(store, 'n1', 'first');
    const document = (await store.find('notes', workspaceId, 'n1'))!;
    expect(Object.isFrozen(document)).to.equal(true);
    expect(Reflect.set(document, 'text', 'mutated'), 'a frozen document refuses the write').to.equal(false);
    expect((await store.find('notes', workspaceId, 'n1'))!.text).to.equal('first');
  });
});

/**
 * Finding 4: the document cache was bounded by count (50,000), so 1,600 one-megabyte sessions
 * stayed in memory. It is now bounded by the bytes of the stored JSON.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Projection } from '../../src/projections/projection.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import type { Document } from '../../src/stores/readModel.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

const pages: Projection = {
  name: 'pages',
  collection: 'pages',
  handles: ['PageWritten'],
  documents: (event: StoredEvent) => ({ workspaceId: 'ws-1', ids: [(event.data as { pageId: string }).pageId] }),
  evolve: (_current: Document | null, event: StoredEvent) => {
    const data = event.data as { pageId: string; text: string };
    return { id: data.pageId, workspaceId: 'ws-1', text: data.text };
  },
};

describe('the SQLite document cache bounded in bytes', () => {
  let dir: string;
  let store: SqliteStore;
  const limit = 4 * 1024 * 1024;
  const write = (pageId: string, text: string) =>
    store.append(
      `page-${pageId}`,
      [
        {
          type: 'PageWritten',
          data: { pageId, text },
          metadata: {
            eventId: randomUUID(),
            occurredAt: '2024-01-01T00:00:00.000Z',
            actor: { userId: 't' },
            workspaceId: 'ws-1',
            requestId: 'r',
            correlationId: 'c',
            schemaVersion: 1,
          },
        },
      ],
      'any',
    );

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-cache-bytes-'));
    store = new SqliteStore({ path: path.join(dir, 'sessions.db'), inlineProjections: [pages], documentCacheBytes: limit });
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps at most the configured bytes however many large documents are read, and still serves every one', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => `p${i}`);
    for (const id of ids) await write(id, id.repeat(100_000)); // ~0.6 MB of stored JSON each
    for (const id of ids) {
      expect((await store.find('pages', 'ws-1', id))!.text).to.have.length(id.length * 100_000);
      const usage = store.documentCacheUsage();
      expect(usage.bytes).to.be.at.most(limit);
    }
    const usage = store.documentCacheUsage();
    expect(usage.documents).to.be.within(1, 10);
    // The most recently read documents are the ones kept.
    const before = store.documentCacheUsage().documents;
    expect((await store.find('pages', 'ws-1', 'p39'))!.text).to.have.length(300_000);
    expect(store.documentCacheUsage().documents).to.equal(before);
  });

  it('does not cache a document larger than the whole cache, and accounts for evictions by writes', async () => {
    await write('huge', 'h'.repeat(3 * 1024 * 1024));
    expect((await store.find('pages', 'ws-1', 'huge'))!.text).to.have.length(3 * 1024 * 1024);
    expect(store.documentCacheUsage()).to.include({ documents: 0, bytes: 0 });
    await write('small', 'first');
    await store.find('pages', 'ws-1', 'small');
    const cached = store.documentCacheUsage().bytes;
    expect(cached).to.be.greaterThan(0);
    await write('small', 'second');
    expect(store.documentCacheUsage()).to.include({ documents: 0, bytes: 0 });
    expect((await store.find('pages', 'ws-1', 'small'))!.text).to.equal('second');
  });

  it('caches nothing with documentCacheBytes 0, and reads stay correct', async () => {
    await store.close();
    store = new SqliteStore({ path: path.join(dir, 'sessions.db'), inlineProjections: [pages], documentCacheBytes: 0 });
    await write('a', 'text');
    expect((await store.find('pages', 'ws-1', 'a'))!.text).to.equal('text');
    expect(store.documentCacheUsage()).to.include({ documents: 0, bytes: 0 });
  });
});

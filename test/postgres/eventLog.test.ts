/**
 * What the PostgreSQL event log promises beyond the EventStore contract: positions a reader can
 * trust while transactions commit out of order, migrations that two instances may run at once,
 * and LISTEN/NOTIFY waking a subscription.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import type { EventToAppend, StoredEvent } from '../../src/stores/eventStore.js';
import { PostgresDatabase } from '../../src/stores/postgres/database.js';
import { migrations } from '../../src/stores/postgres/migrations.js';
import { notifySource } from '../../src/stores/postgres/notifySource.js';
import { Resources } from '../support/resources.js';
import { createTestDatabase, openPostgresStores, requirePostgres } from './support.js';

const event = (workspaceId: string, n: number): EventToAppend => ({
  type: 'ThingHappened',
  data: { n },
  metadata: {
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    actor: { userId: 'u' },
    workspaceId,
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
});

const collect = async (iterable: AsyncIterable<StoredEvent>): Promise<StoredEvent[]> => {
  const items: StoredEvent[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

describe('the PostgreSQL event log', function () {
  before(requirePostgres);

  describe('with one append held open in its transaction while others commit', () => {
    const opened = new Resources();
    let stores: Awaited<ReturnType<typeof openPostgresStores>>;
    let held: pg.Client;
    before(async () => {
      stores = opened.add(await openPostgresStores(), (s) => s.cleanup());
      held = opened.add(new pg.Client({ connectionString: stores.database.url }), (client) => client.end());
      await held.connect();
    });
    after(() => opened.close());

    it('never lets a reader that follows the log from its last position skip the late commit', async () => {
      const ws = `ws-${randomUUID()}`;
      await stores.events.append('early', [event(ws, 0)], 'no_stream');
      // A reader follows the log the way the projector does: from its last position.
      let checkpoint: bigint | undefined;
      const seen: StoredEvent[] = [];
      const follow = async (): Promise<void> => {
        for (const e of await collect(stores.events.readAll(checkpoint === undefined ? {} : { after: checkpoint }))) {
          seen.push(e);
          checkpoint = e.position;
        }
      };
      await follow();
      expect(seen.map((e) => e.streamId)).to.deep.equal(['early']);

      // The slow append takes its transaction id and writes, but does not commit yet.
      await held.query('BEGIN');
      const slow = JSON.stringify([{ streamId: 'slow', expected: 'no_stream', events: [event(ws, 1)] }]);
      const { rows } = await held.query<{ results: { position: string }[] }>('SELECT sessions_append($1::json) AS results', [slow]);
      const slowPosition = BigInt(rows[0]!.results[0]!.position);

      // Later appends commit first, with higher positions.
      const fast = [
        await stores.events.append('fast-1', [event(ws, 2)], 'no_stream'),
        await stores.events.append('fast-2', [event(ws, 3), event(ws, 4)], 'no_stream'),
      ];
      expect(fast.every((r) => r.position > slowPosition)).to.equal(true);

      // While the slow one is open, the reader sees none of them: they lie above the horizon.
      await follow();
      await follow();
      expect(seen.map((e) => e.streamId)).to.deep.equal(['early']);
      expect(await stores.events.headPosition()).to.equal(seen[0]!.position);
      // readStream is not held back: those streams' events are committed.
      expect(await stores.events.readStream('fast-1')).to.have.length(1);

      await held.query('COMMIT');
      await follow();
      expect(seen.map((e) => e.streamId)).to.deep.equal(['early', 'slow', 'fast-1', 'fast-2', 'fast-2']);
      for (let i = 1; i < seen.length; i += 1) expect(seen[i]!.position > seen[i - 1]!.position).to.equal(true);
      expect(await stores.events.headPosition()).to.equal(fast[1]!.position);
    });

    it('records the writing transaction id with each event, and the position is derived from it', async () => {
      const { rows } = await stores.db.query<{ ok: boolean; n: string }>(
        `SELECT bool_and((position >> 20) = transaction_id::text::bigint) AS ok, count(*)::text AS n FROM events`,
      );
      expect(rows[0]!.ok).to.equal(true);
      expect(Number(rows[0]!.n)).to.be.greaterThan(0);
    });

    it('rolls an aborted append back whole: none of its events is ever read', async () => {
      const ws = `ws-${randomUUID()}`;
      const before = await stores.events.headPosition();
      await held.query('BEGIN');
      await held.query('SELECT sessions_append($1::json)', [
        JSON.stringify([{ streamId: `gone-${ws}`, expected: 'any', events: [event(ws, 0)] }]),
      ]);
      await stores.events.append(`kept-${ws}`, [event(ws, 1)], 'no_stream');
      await held.query('ROLLBACK');
      const after = await collect(stores.events.readAll(before === null ? {} : { after: before }));
      expect(after.map((e) => e.streamId)).to.deep.equal([`kept-${ws}`]);
    });
  });

  describe('migrations', () => {
    it('leave one schema when two instances start at once on an empty database', async () => {
      const database = await createTestDatabase();
      const first = new PostgresDatabase({ url: database.url });
      const second = new PostgresDatabase({ url: database.url });
      try {
        const [a, b] = await Promise.all([first.migrate(), second.migrate()]);
        const all = migrations.map((m) => m.version);
        // One of them applied everything, the other found it done.
        expect([a, b].sort((x, y) => y.length - x.length)).to.deep.equal([all, []]);
        const { rows } = await first.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).to.deep.equal(all);
        expect(await first.migrate()).to.deep.equal([]);
      } finally {
        await first.close();
        await second.close();
        await database.drop();
      }
    });

    it('refuse to run against a schema newer than this release knows', async () => {
      const database = await createTestDatabase();
      const db = new PostgresDatabase({ url: database.url });
      try {
        await db.migrate();
        await db.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");
        let failure: unknown;
        await db.migrate().catch((error: unknown) => (failure = error));
        expect(String(failure)).to.match(/schema is at version 9999, newer than this release knows/);
      } finally {
        await db.close();
        await database.drop();
      }
    });
  });

  describe('a LISTEN/NOTIFY subscription', () => {
    const opened = new Resources();
    let stores: Awaited<ReturnType<typeof openPostgresStores>>;
    before(async () => {
      stores = opened.add(await openPostgresStores(), (s) => s.cleanup());
    });
    after(() => opened.close());

    it('delivers appends made after it started, in order, woken by notifications rather than its poll', async () => {
      const ws = `ws-${randomUUID()}`;
      await stores.events.append('before', [event(ws, 0)], 'no_stream');
      const start = await stores.events.headPosition();
      // A poll interval longer than the test timeout: only notifications can wake it in time.
      const subscription = notifySource(stores.events, { url: stores.database.url, pollMs: 60_000 }).subscribe(start!);
      const received: StoredEvent[] = [];
      const reading = (async () => {
        for await (const batch of subscription) {
          received.push(...batch);
          if (received.length >= 3) break;
        }
      })();
      // The first read finds nothing and waits; appends then notify.
      await new Promise((resolve) => setTimeout(resolve, 200));
      await stores.events.append('a', [event(ws, 1)], 'no_stream');
      await stores.events.append('b', [event(ws, 2), event(ws, 3)], 'no_stream');
      await reading;
      await subscription.close();
      expect(received.map((e) => `${e.streamId}:${(e.data as { n: number }).n}`)).to.deep.equal(['a:1', 'b:2', 'b:3']);
    });
  });
});

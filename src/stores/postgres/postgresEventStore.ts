/**
 * The event log in PostgreSQL (see ./migrations.ts for the table and why positions are what they
 * are). An append is one call of `sessions_append` (one round trip, one transaction); concurrent
 * appends commit in parallel, and the server's WAL writer flushes them together.
 *
 * Readers (readAll, headPosition) see only events of transactions older than the oldest
 * transaction still running, so a page read "after N" can never be overtaken by an event that
 * commits later with a position below it.
 *
 * After each commit a NOTIFY (coalesced: at most one in flight per process) tells listeners, in
 * this process or another, that the log moved; see ./notifySource.ts.
 */
import type pg from 'pg';
import type { EventMetadata } from '../../events/envelope.js';
import {
  ConcurrencyError,
  malformedAppend,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type StoredEvent,
  type StreamWrite,
} from '../eventStore.js';
import { onlyRow, type PostgresDatabase, uniqueViolation } from './database.js';
import { positionIndexBits } from './migrations.js';

export const eventsChannel = 'sessions_events';

/** Position bound below which every transaction has finished, as SQL (a sub-select: evaluated once per statement). */
export const safeHorizon = `(SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::bigint) << ${positionIndexBits})`;

interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export const eventColumns = 'position, stream_id, revision, type, data, metadata';

export const toStoredEvent = (row: EventRow): StoredEvent => ({
  streamId: row.stream_id,
  revision: BigInt(row.revision),
  position: BigInt(row.position),
  type: row.type,
  data: row.data,
  metadata: row.metadata,
});

const expectedText = (expected: ExpectedRevision): string => (typeof expected === 'bigint' ? expected.toString() : expected);

const expectedFrom = (text: string): ExpectedRevision => (/^\d+$/.test(text) ? BigInt(text) : (text as ExpectedRevision));

export interface PostgresEventStoreOptions {
  pageSize?: number;
  /** close() also closes the database's pool (the store was given a pool of its own). */
  ownsDatabase?: boolean;
}

export class PostgresEventStore implements EventStore {
  private readonly pageSize: number;
  private notifying = false;
  private notifyAgain = false;
  private closed = false;
  private readonly ownsDatabase: boolean;

  constructor(
    readonly db: PostgresDatabase,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 1000;
    this.ownsDatabase = options.ownsDatabase ?? false;
  }

  async append(streamId: string, events: EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const [result] = await this.appendMany([{ streamId, events, expected }]);
    if (!result) throw new Error(`the append to ${streamId} answered no result`);
    return result;
  }

  async appendMany(writes: readonly StreamWrite[]): Promise<AppendResult[]> {
    if (this.closed) throw new Error('store is closed');
    const malformed = malformedAppend(writes);
    if (malformed) throw malformed;
    const payload = JSON.stringify(
      writes.map((write) => ({
        streamId: write.streamId,
        expected: expectedText(write.expected),
        events: write.events.map((event) => ({ type: event.type, data: event.data, metadata: event.metadata })),
      })),
    );
    // A concurrent append to the same stream (or a concurrent retry with the same event ids) that
    // commits first makes the insert fail on a unique key; run again, it sees that append and
    // answers with a ConcurrencyError or the retried append's result.
    for (let attempt = 0; ; attempt += 1) {
      try {
        const { rows } = await this.db.query<{ results: { nextRevision: string; position: string }[] }>(
          'SELECT sessions_append($1::json) AS results',
          [payload],
        );
        this.notifyListeners();
        const { results } = onlyRow(rows, 'sessions_append');
        return results.map((r) => ({ nextRevision: BigInt(r.nextRevision), position: BigInt(r.position) }));
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === 'SE409') {
          const detail = JSON.parse((error as pg.DatabaseError).detail ?? '{}') as {
            streamId: string;
            expected: string;
            actual: string | null;
          };
          throw new ConcurrencyError(
            detail.streamId,
            expectedFrom(detail.expected),
            detail.actual === null ? 'no_stream' : BigInt(detail.actual),
          );
        }
        if (code === uniqueViolation && attempt < 3) continue;
        throw error;
      }
    }
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const { rows } = await this.db.query<EventRow>(`SELECT ${eventColumns} FROM events WHERE stream_id = $1 ORDER BY revision`, [streamId]);
    return rows.map(toStoredEvent);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<StoredEvent> {
    const pageSize = options.pageSize ?? this.pageSize;
    let after = options.after ?? -1n;
    // `position + 0`: the horizon is a filter, not an index bound. As a bound the planner cannot
    // estimate the range, and it sorts the whole tail instead of walking the primary key in order.
    const where = [`position > $1`, `position + 0 < ${safeHorizon}`];
    const params: unknown[] = [null];
    if (options.workspaceId !== undefined) {
      params.push(options.workspaceId);
      where.push(`workspace_id = $${params.length}`);
    }
    if (options.types?.length) {
      params.push(options.types);
      where.push(`type = ANY($${params.length}::text[])`);
    }
    params.push(pageSize);
    const sql = `SELECT ${eventColumns} FROM events WHERE ${where.join(' AND ')} ORDER BY position LIMIT $${params.length}`;
    for (;;) {
      params[0] = after.toString();
      const { rows } = await this.db.query<EventRow>(sql, params);
      for (const row of rows) yield toStoredEvent(row);
      const last = rows[rows.length - 1];
      if (last === undefined || rows.length < pageSize) return;
      after = BigInt(last.position);
    }
  }

  async headPosition(): Promise<bigint | null> {
    const { rows } = await this.db.query<{ position: string | null }>(
      `SELECT max(position) AS position FROM events WHERE position < ${safeHorizon}`,
    );
    return rows[0]?.position == null ? null : BigInt(rows[0].position);
  }

  ping(): Promise<void> {
    return this.db.ping();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDatabase) await this.db.close();
  }

  /**
   * Tells listeners the log moved. Outside the append's transaction, so that the append does not
   * hold the server's notification lock through its commit, and without waiting for the flush:
   * a lost notification costs only a poll interval.
   */
  private notifyListeners(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = true;
    this.db.pool
      .query(`BEGIN; SET LOCAL synchronous_commit = off; SELECT pg_notify('${eventsChannel}', ''); COMMIT`)
      .catch(() => undefined)
      .finally(() => {
        this.notifying = false;
        if (this.notifyAgain) {
          this.notifyAgain = false;
          this.notifyListeners();
        }
      });
  }
}

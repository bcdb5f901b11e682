/**
 * A SubscriptionSource over the PostgreSQL log that wakes on LISTEN/NOTIFY instead of polling
 * hot: each subscription holds a listening connection, reads a page whenever an append anywhere
 * notifies, and otherwise reads every `pollMs` (the fallback for a lost notification). A
 * notification can arrive before its events are readable (an older transaction is still running,
 * see ./migrations.ts); then it reads again soon, backing off up to `pollMs`.
 *
 * When the listening connection fails (server restart), the subscription ends with the error and
 * the projector resubscribes from its stored checkpoint.
 */
import pg from 'pg';
import { abortableSleep, type EventSubscription, type SubscriptionSource } from '../../projections/ports.js';
import type { EventStore, StoredEvent } from '../eventStore.js';
import { eventsChannel } from './postgresEventStore.js';

export interface NotifySourceOptions {
  url: string;
  /** Longest pause without a notification before reading anyway. */
  pollMs?: number;
  pageSize?: number;
  connectTimeoutMs?: number;
}

export const notifySource = (events: EventStore, options: NotifySourceOptions): SubscriptionSource => {
  const pollMs = options.pollMs ?? 1_000;
  const pageSize = options.pageSize ?? 500;
  return {
    subscribe(after): EventSubscription {
      const closed = new AbortController();
      let listener: pg.Client | undefined;
      let failure: Error | undefined;
      let wake: AbortController = new AbortController();
      /** Notifications received so far: one received since a read began means "read again". */
      let notifications = 0;

      async function* batches(): AsyncGenerator<readonly StoredEvent[]> {
        listener = new pg.Client({
          connectionString: options.url,
          connectionTimeoutMillis: options.connectTimeoutMs ?? 2_000,
          application_name: `sessions-projector-listen:${process.pid}`,
          keepAlive: true,
        });
        listener.on('notification', () => {
          notifications += 1;
          wake.abort();
        });
        listener.on('error', (error) => {
          failure = error;
          wake.abort();
        });
        listener.on('end', () => {
          if (!closed.signal.aborted) failure ??= new Error('the LISTEN connection ended');
          wake.abort();
        });
        await listener.connect();
        await listener.query(`LISTEN ${eventsChannel}`);
        let position = after;
        /** Set while a notification's events may still be unreadable: retry soon instead of waiting. */
        let retryMs: number | null = null;
        while (!closed.signal.aborted) {
          if (failure) throw failure;
          const seen = notifications;
          const page: StoredEvent[] = [];
          for await (const event of events.readAll({ ...(position === undefined ? {} : { after: position }), pageSize })) {
            page.push(event);
            if (page.length >= pageSize) break;
          }
          const last = page[page.length - 1];
          if (last !== undefined) {
            position = last.position;
            retryMs = null;
            yield page;
            continue;
          }
          if (notifications !== seen) continue;
          wake = new AbortController();
          await abortableSleep(retryMs ?? pollMs, AbortSignal.any([wake.signal, closed.signal]));
          if (notifications !== seen) retryMs = 5;
          else if (retryMs !== null) retryMs = retryMs * 2 >= pollMs ? null : retryMs * 2;
        }
      }

      return {
        [Symbol.asyncIterator]: () => batches(),
        close: async () => {
          closed.abort();
          wake.abort();
          await listener?.end().catch(() => undefined);
        },
      };
    },
  };
};

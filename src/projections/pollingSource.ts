/**
 * A SubscriptionSource over the EventStore port's readAll, polling for new events. Used when the
 * event store has no push subscription (the embedded SQLite log with MongoDB read models).
 */
import type { EventStore, StoredEvent } from '../stores/eventStore.js';
import { abortableSleep, type EventSubscription, type SubscriptionSource } from './ports.js';

export interface PollingSourceOptions {
  /** Pause between two reads that found nothing new. */
  intervalMs?: number;
  pageSize?: number;
}

export const pollingSource = (events: EventStore, options: PollingSourceOptions = {}): SubscriptionSource => {
  const intervalMs = options.intervalMs ?? 100;
  const pageSize = options.pageSize ?? 500;
  return {
    subscribe(after): EventSubscription {
      const closed = new AbortController();
      async function* batches(): AsyncGenerator<readonly StoredEvent[]> {
        let position = after;
        while (!closed.signal.aborted) {
          const page: StoredEvent[] = [];
          for await (const event of events.readAll({ ...(position === undefined ? {} : { after: position }), pageSize })) {
            page.push(event);
            if (page.length >= pageSize) break;
          }
          const last = page[page.length - 1];
          if (last !== undefined) {
            position = last.position;
            yield page;
          } else {
            await abortableSleep(intervalMs, closed.signal);
          }
        }
      }
      return {
        [Symbol.asyncIterator]: () => batches(),
        close: async () => {
          closed.abort();
        },
      };
    },
  };
};

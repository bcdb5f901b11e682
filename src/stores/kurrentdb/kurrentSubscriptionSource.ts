/**
 * The projector's event source in production: a catch-up subscription to $all from the stored
 * checkpoint (start positions are exclusive for subscriptions), filtered on the server to our
 * stream prefixes, with system events dropped on the client (the server takes one filter only).
 */
import { START, type AllStreamResolvedEvent, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { EventSubscription, SubscriptionSource } from '../../projections/ports.js';
import type { StoredEvent } from '../eventStore.js';
import { matchesSubscription, ourStreamsFilter } from './filters.js';
import { readPositionAfter, toStoredEvent } from './kurrentEventStore.js';
import { ReadableBatches } from './readableBatches.js';

export interface KurrentSubscriptionOptions {
  /** Most events handed to the projector in one batch (also the stream's buffer size). */
  maxBatch?: number;
}

export const kurrentSubscriptionSource = (client: KurrentDBClient, options: KurrentSubscriptionOptions = {}): SubscriptionSource => {
  const maxBatch = options.maxBatch ?? 500;
  return {
    subscribe(after): EventSubscription {
      const subscription = client.subscribeToAll(
        { fromPosition: after === undefined ? START : readPositionAfter(after), filter: ourStreamsFilter() },
        { highWaterMark: maxBatch },
      );
      const batches = new ReadableBatches<AllStreamResolvedEvent>(subscription, maxBatch);
      let closed = false;
      return {
        async *[Symbol.asyncIterator]() {
          for await (const batch of batches) {
            const events: StoredEvent[] = [];
            for (const resolved of batch) {
              const event = toStoredEvent(resolved);
              // Exclusive start, checked here too; system and foreign events are skipped.
              if (!event || (after !== undefined && event.position <= after) || !matchesSubscription(event)) continue;
              events.push(event);
            }
            if (events.length > 0) yield events;
          }
        },
        async close() {
          if (closed) return;
          closed = true;
          try {
            await subscription.unsubscribe();
          } finally {
            batches.close();
          }
        },
      };
    },
  };
};

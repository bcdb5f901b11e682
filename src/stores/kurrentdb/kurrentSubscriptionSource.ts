/**
 * The projector's event source in production: a catch-up subscription to $all from the stored
 * checkpoint (start positions are exclusive for subscriptions), filtered on the server to our
 * stream prefixes, with system events dropped on the client (the server takes one filter only).
 * Before subscribing it checks that the checkpoint lies within the log (./checkpointGuard.ts):
 * a catch-up subscription from beyond the end would wait, silently, for positions to catch up.
 */
import {
  BACKWARDS,
  END,
  START,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type KurrentDBClient,
} from '@kurrent/kurrentdb-client';
import type { EventSubscription, SubscriptionSource } from '../../projections/ports.js';
import type { StoredEvent } from '../eventStore.js';
import { checkCheckpointWithinLog } from './checkpointGuard.js';
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
      let subscription: AllStreamSubscription | undefined;
      let batches: ReadableBatches<AllStreamResolvedEvent> | undefined;
      let closed = false;
      return {
        async *[Symbol.asyncIterator]() {
          if (after !== undefined) checkCheckpointWithinLog(after, await lastLogPosition(client));
          if (closed) return;
          subscription = client.subscribeToAll(
            { fromPosition: after === undefined ? START : readPositionAfter(after), filter: ourStreamsFilter() },
            { highWaterMark: maxBatch },
          );
          batches = new ReadableBatches<AllStreamResolvedEvent>(subscription, maxBatch);
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
            await subscription?.unsubscribe();
          } finally {
            batches?.close();
          }
        },
      };
    },
  };
};

/** Commit position of the last record of the log, system records included (null when it is empty). */
const lastLogPosition = async (client: KurrentDBClient): Promise<bigint | null> => {
  for await (const resolved of client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 })) {
    const position = resolved.event?.position.commit ?? resolved.commitPosition;
    if (position !== undefined) return position;
  }
  return null;
};

/**
 * The event store with every successful append counted by event type. A decorator over the port,
 * so the count is the same whichever adapter sits behind it; an append that fails (a concurrency
 * conflict, a store error) counts nothing.
 */
import type { Counter } from 'prom-client';
import type { EventStore } from '../../stores/eventStore.js';

export const countingEventStore = (inner: EventStore, appended: Counter<'type'>): EventStore => ({
  append: async (streamId, events, expected) => {
    const result = await inner.append(streamId, events, expected);
    for (const event of events) appended.inc({ type: event.type });
    return result;
  },
  appendMany: async (writes) => {
    const results = await inner.appendMany(writes);
    for (const write of writes) for (const event of write.events) appended.inc({ type: event.type });
    return results;
  },
  readStream: (streamId) => inner.readStream(streamId),
  readAll: (options) => inner.readAll(options),
  headPosition: () => inner.headPosition(),
  ping: () => inner.ping(),
  close: () => inner.close(),
});

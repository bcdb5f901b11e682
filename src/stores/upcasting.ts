/**
 * Reads through an event store with every event upcast to its current shape (see
 * src/events/upcasters.ts); writes pass straight through. The upcasters come in as a parameter:
 * the composition root hands over the release's registry, so the port knows no event version.
 */
import type { EventStore, ReadAllOptions, StoredEvent } from './eventStore.js';

/** What upcasting needs of a registry (src/events/upcasters.ts `UpcasterRegistry`). */
export interface Upcasters {
  /**
   * An upcaster for one reader of a log: it upcasts each event read, fetching the facts an event
   * needs (e.g. its workspace's time zone) through `readStream`, and keeps what it learned.
   */
  reader(): (event: StoredEvent, readStream: (streamId: string) => Promise<readonly StoredEvent[]>) => Promise<StoredEvent>;
}

export class UpcastingEventStore implements EventStore {
  private readonly upcastRead: ReturnType<Upcasters['reader']>;
  private readonly readInner = (streamId: string): Promise<StoredEvent[]> => this.inner.readStream(streamId);

  constructor(
    readonly inner: EventStore,
    readonly registry: Upcasters,
  ) {
    this.upcastRead = registry.reader();
  }

  append: EventStore['append'] = (streamId, events, expected) => this.inner.append(streamId, events, expected);

  appendMany: EventStore['appendMany'] = (writes) => this.inner.appendMany(writes);

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const events = await this.inner.readStream(streamId);
    const upcast: StoredEvent[] = [];
    for (const event of events) upcast.push(await this.upcastRead(event, this.readInner));
    return upcast;
  }

  async *readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent> {
    for await (const event of this.inner.readAll(options)) yield await this.upcastRead(event, this.readInner);
  }

  headPosition(): Promise<bigint | null> {
    return this.inner.headPosition();
  }

  ping(): Promise<void> {
    return this.inner.ping();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Wraps an event store so that every read is upcast (a store that already upcasts with `registry` is returned as is). */
export const withUpcasting = (store: EventStore, registry: Upcasters): EventStore =>
  store instanceof UpcastingEventStore && store.registry === registry ? store : new UpcastingEventStore(store, registry);

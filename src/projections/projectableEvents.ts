/**
 * What projectors read: the log, upcast, without the events this release cannot project. An event
 * of an unknown type (from a newer release or another tool), or of a schemaVersion newer than this
 * release knows, is skipped with a warning instead of crashing the projector. Audit does not read
 * through this: it shows every event as stored.
 */
import { currentSchemaVersions, noUpcastFacts, upcasters, type UpcastFacts } from '../events/upcasters.js';
import type { EventStore, ReadAllOptions, StoredEvent } from '../stores/eventStore.js';

/** True when this release knows the event's type and shape (after upcasting). */
export const isProjectable = (event: StoredEvent): boolean =>
  (currentSchemaVersions as Readonly<Record<string, number>>)[event.type] === event.metadata.schemaVersion;

export interface SkippedKind {
  type: string;
  schemaVersion: number;
  count: number;
  /** Position of the first skipped event of this kind, as a decimal string. */
  firstPosition: string;
}

export type SkipWarning = (details: Omit<SkippedKind, 'count'> & { reason: string }, message: string) => void;

/** Counts skipped events and warns once per (type, schemaVersion), so a big log does not flood the log. */
export class SkippedEvents {
  private readonly kinds = new Map<string, SkippedKind>();

  constructor(
    private readonly warn: SkipWarning = () => {
      // Without a warning to give, skipped events are only counted.
    },
  ) {}

  note(event: StoredEvent): void {
    const key = `${event.type}\u0000${event.metadata.schemaVersion}`;
    const kind = this.kinds.get(key);
    if (kind) {
      kind.count += 1;
      return;
    }
    const known = (currentSchemaVersions as Readonly<Record<string, number>>)[event.type];
    const reason =
      known === undefined
        ? 'unknown event type'
        : `schemaVersion ${event.metadata.schemaVersion} is not the version this release projects (${known})`;
    const first = { type: event.type, schemaVersion: event.metadata.schemaVersion, firstPosition: event.position.toString() };
    this.kinds.set(key, { ...first, count: 1 });
    this.warn({ ...first, reason }, `projector skips ${event.type} v${event.metadata.schemaVersion} events: ${reason}`);
  }

  summary(): SkippedKind[] {
    return [...this.kinds.values()].map((kind) => ({ ...kind }));
  }

  get total(): number {
    let total = 0;
    for (const kind of this.kinds.values()) total += kind.count;
    return total;
  }
}

/** An event in its current shape if this release can project it, else null (noted in `skipped` when given). */
const keepProjectable = (current: StoredEvent, skipped?: SkippedEvents): StoredEvent | null => {
  if (isProjectable(current)) return current;
  skipped?.note(current);
  return null;
};

/**
 * What projections see of an event, the one rule every projecting path applies (inline catch-up,
 * the async projector, rebuilds, their worker threads): the event upcast to its current shape
 * (with `facts`, e.g. the workspaces' time zones), or null when this release cannot project it,
 * noted in `skipped` when given (leave it out where the same events are counted elsewhere, e.g. a
 * rebuild bringing the live read model up to date).
 */
export const prepareForProjection = (event: StoredEvent, skipped?: SkippedEvents, facts: UpcastFacts = noUpcastFacts): StoredEvent | null =>
  keepProjectable(upcasters.upcast(event, facts), skipped);

async function* prepared(
  events: AsyncIterable<StoredEvent>,
  prepare: (event: StoredEvent) => Promise<StoredEvent | null>,
): AsyncIterable<StoredEvent> {
  for await (const event of events) {
    const current = await prepare(event);
    if (current !== null) yield current;
  }
}

/**
 * An event store as projectors should read it: the same rule, each event upcast with the facts it
 * needs fetched from the log itself (as the upcasting store does), unprojectable events skipped
 * with a warning.
 */
export const projectableEvents = (store: EventStore, skipped: SkippedEvents): EventStore => {
  const upcast = upcasters.reader();
  const readStored = (streamId: string): Promise<StoredEvent[]> => store.readStream(streamId);
  const prepare = async (event: StoredEvent): Promise<StoredEvent | null> => keepProjectable(await upcast(event, readStored), skipped);
  return {
    append: (streamId, events, expected) => store.append(streamId, events, expected),
    appendMany: (writes) => store.appendMany(writes),
    readStream: async (streamId) => {
      const events: StoredEvent[] = [];
      for (const event of await store.readStream(streamId)) {
        const current = await prepare(event);
        if (current !== null) events.push(current);
      }
      return events;
    },
    readAll: (options?: ReadAllOptions) => prepared(store.readAll(options), prepare),
    headPosition: () => store.headPosition(),
    ping: () => store.ping(),
    close: () => store.close(),
  };
};

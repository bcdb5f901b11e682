/**
 * What projectors read: the log, upcast, without the events this release cannot project. An event
 * of an unknown type (from a newer release or another tool), or of a schemaVersion newer than this
 * release knows, is skipped with a warning instead of crashing the projector. Audit does not read
 * through this: it shows every event as stored.
 */
import { currentSchemaVersions, withUpcasting } from '../events/upcasters.js';
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

  constructor(private readonly warn: SkipWarning = () => {}) {}

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

/** The events a projector may apply, in order: upcast, unprojectable ones noted and left out. */
export async function* projectable(
  events: AsyncIterable<StoredEvent>,
  skipped: SkippedEvents,
): AsyncIterable<StoredEvent> {
  for await (const event of events) {
    if (isProjectable(event)) yield event;
    else skipped.note(event);
  }
}

/** An event store as projectors should read it (upcast, unprojectable events skipped with a warning). */
export const projectableEvents = (store: EventStore, skipped: SkippedEvents): EventStore => {
  const upcasting = withUpcasting(store);
  return {
    append: (streamId, events, expected) => upcasting.append(streamId, events, expected),
    appendMany: (writes) => upcasting.appendMany(writes),
    readStream: async (streamId) =>
      (await upcasting.readStream(streamId)).filter((event) => {
        if (isProjectable(event)) return true;
        skipped.note(event);
        return false;
      }),
    readAll: (options?: ReadAllOptions) => projectable(upcasting.readAll(options), skipped),
    headPosition: () => upcasting.headPosition(),
    ping: () => upcasting.ping(),
    close: () => upcasting.close(),
  };
};

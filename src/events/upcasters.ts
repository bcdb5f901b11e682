/**
 * Event schema evolution. Stored events are never rewritten: an event keeps the shape and the
 * `metadata.schemaVersion` it was appended with. When an event is read, the upcasters registered
 * for its (type, schemaVersion) turn it, one version at a time, into the current shape, so
 * projections, the write path and audit only ever see current shapes.
 *
 * An upcast event carries the current `schemaVersion` (its data now has that shape), which makes
 * upcasting idempotent: reading through two upcasting layers changes nothing.
 *
 * Events whose type is not in `currentSchemaVersions` (written by a newer release, or by a tool)
 * and events of a newer version than this release knows are passed through untouched; projectors
 * skip them with a warning (src/projections/projectableEvents.ts), audit shows them as stored.
 */
import type { EventStore, ReadAllOptions, StoredEvent } from '../stores/eventStore.js';
import { type FieldValue, type SessionCreated, type SessionStatus } from './session.js';

export { currentSchemaVersions } from './index.js';

/** Maps the data of (type, fromVersion) to the data of fromVersion + 1. Pure: no clock, no ids. */
export type Upcaster = (data: unknown, event: StoredEvent) => unknown;

export class UpcasterRegistry {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  /** Registers the step from `fromVersion` to `fromVersion + 1` of `type`. */
  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    let versions = this.byType.get(type);
    if (!versions) this.byType.set(type, (versions = new Map()));
    if (versions.has(fromVersion)) throw new Error(`an upcaster for ${type} v${fromVersion} is already registered`);
    versions.set(fromVersion, upcaster);
    return this;
  }

  /** The event in its current shape (the same object when nothing applies). */
  upcast(event: StoredEvent): StoredEvent {
    const versions = this.byType.get(event.type);
    if (versions === undefined) return event;
    let step = versions.get(event.metadata.schemaVersion);
    if (step === undefined) return event;
    let version = event.metadata.schemaVersion;
    let data = event.data;
    while (step !== undefined) {
      data = step(data, event);
      version += 1;
      step = versions.get(version);
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
  }
}

/**
 * SessionCreated v1: the result-only shape the API document implies. It held the session's fields
 * and the catalog names as they were, but none of the decision's facts: not what was requested,
 * not how the duration was derived, not the service durations that were summed.
 */
export interface SessionCreatedV1Data {
  sessionId: string;
  workspaceId: string;
  name: string;
  clientId: string;
  clientName: string;
  serviceIds: string[];
  /** Same order as serviceIds. */
  serviceNames: string[];
  staffId: string | null;
  staffName: string | null;
  /** Midnight UTC of the session's day, ISO with milliseconds. */
  date: string;
  startTime: string;
  endTime: string;
  durationMinutes: number;
  status: SessionStatus;
  /** v1 wrote `phase` only when it was not the default "pre". */
  fieldValues: { fieldKey: string; value: FieldValue['value']; phase?: string }[];
}

/**
 * v1 → v2. Everything v1 recorded is carried over unchanged. What v1 did not record is not
 * invented: `durationSource` is `legacy`, `summedServiceDurations` is empty, and the unknown
 * durations (`requested.durationMinutes`, `services[].durationMinutes`) are null. `requested` is
 * rebuilt from the outcome (v1 kept the accepted values, so name, ids, start time, status and
 * field values are what was requested; `requested.date` is the stored, normalized date).
 */
export const sessionCreatedV1ToV2: Upcaster = (raw) => {
  const v1 = raw as SessionCreatedV1Data;
  const fieldValues: FieldValue[] = v1.fieldValues.map((f) => ({ fieldKey: f.fieldKey, value: f.value, phase: f.phase ?? 'pre' }));
  const v2: SessionCreated['data'] = {
    sessionId: v1.sessionId,
    workspaceId: v1.workspaceId,
    requested: {
      name: v1.name,
      clientId: v1.clientId,
      serviceIds: [...v1.serviceIds],
      staffId: v1.staffId,
      date: v1.date,
      startTime: v1.startTime,
      durationMinutes: null,
      status: v1.status,
      fieldValues,
    },
    client: { id: v1.clientId, name: v1.clientName },
    services: v1.serviceIds.map((id, i) => ({ id, name: v1.serviceNames[i] ?? '', durationMinutes: null })),
    staff: v1.staffId === null ? null : { id: v1.staffId, name: v1.staffName ?? '' },
    date: v1.date,
    startTime: v1.startTime,
    endTime: v1.endTime,
    durationMinutes: v1.durationMinutes,
    durationSource: 'legacy',
    summedServiceDurations: [],
    status: v1.status,
    fieldValues,
  };
  return v2;
};

/** Every upcaster of this release. */
export const upcasters = new UpcasterRegistry().register('SessionCreated', 1, sessionCreatedV1ToV2);

/** Reads through `store` with every event upcast to its current shape; writes pass straight through. */
export class UpcastingEventStore implements EventStore {
  constructor(
    readonly inner: EventStore,
    readonly registry: UpcasterRegistry = upcasters,
  ) {}

  append: EventStore['append'] = (streamId, events, expected) => this.inner.append(streamId, events, expected);

  appendMany: EventStore['appendMany'] = (writes) => this.inner.appendMany(writes);

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return (await this.inner.readStream(streamId)).map((event) => this.registry.upcast(event));
  }

  async *readAll(options?: ReadAllOptions): AsyncIterable<StoredEvent> {
    for await (const event of this.inner.readAll(options)) yield this.registry.upcast(event);
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

/** Wraps an event store so that every read is upcast (a store that already upcasts is returned as is). */
export const withUpcasting = (store: EventStore, registry: UpcasterRegistry = upcasters): EventStore =>
  store instanceof UpcastingEventStore && store.registry === registry ? store : new UpcastingEventStore(store, registry);

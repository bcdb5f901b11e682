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
 * Stores are read through a registry's `reader()` by src/stores/upcasting.ts (events import no store).
 */
import { Temporal } from 'temporal-polyfill';
import type { StoredEvent } from './envelope.js';
import { workspaceStream } from './streams.js';
import { localDayOf } from './time.js';
import { type FieldValue, type SessionCreated, type SessionStatus } from './session.js';

export { currentSchemaVersions } from './index.js';

/**
 * Facts from other streams an upcaster may need, looked up synchronously: whoever upcasts loads
 * them first (the upcasting event store reads a workspace's stream once; a rebuild reads every
 * WorkspaceCreated before it starts).
 */
export interface UpcastFacts {
  /** The workspace's time zone as of the events being upcast, or undefined when unknown. */
  workspaceTimeZone(workspaceId: string): string | undefined;
  /** Workspaces whose facts an event needs before it can be upcast (so a loader can fetch them). */
}

export const noUpcastFacts: UpcastFacts = { workspaceTimeZone: () => undefined };

/** Facts from a map of workspace id → time zone. */
export const upcastFactsFrom = (timeZones: ReadonlyMap<string, string>): UpcastFacts => ({ workspaceTimeZone: (id) => timeZones.get(id) });

/** Every workspace's time zone, read from the log (for upcasting in bulk, e.g. a rebuild). */
export const workspaceTimeZones = async (events: {
  readAll(options: { types: readonly string[] }): AsyncIterable<StoredEvent>;
}): Promise<Record<string, string>> => {
  const zones: Record<string, string> = {};
  for await (const event of events.readAll({ types: ['WorkspaceCreated'] })) {
    zones[event.metadata.workspaceId] = (event.data as { timeZone: string }).timeZone;
  }
  return zones;
};

/** Maps the data of (type, fromVersion) to the data of fromVersion + 1. Pure: no clock, no ids. */
export type Upcaster = (data: unknown, event: StoredEvent, facts: UpcastFacts) => unknown;

/** The workspace whose facts upcasting this event needs, if any (today: SessionCreated before v3). */
export const workspaceFactsNeeded = (event: StoredEvent): string | undefined =>
  event.type === 'SessionCreated' && event.metadata.schemaVersion < 3 ? event.metadata.workspaceId : undefined;

/** How an upcaster reads a stream's events as stored, to fetch a fact an event needs first. */
export type StreamReader = (streamId: string) => Promise<readonly StoredEvent[]>;

/** Upcasts one event read from a log, fetching the facts it needs through `readStream`. */
export type LogUpcast = (event: StoredEvent, readStream: StreamReader) => Promise<StoredEvent>;

export class UpcasterRegistry {
  private readonly byType = new Map<string, Map<number, Upcaster>>();

  /** Registers the step from `fromVersion` to `fromVersion + 1` of `type`. */
  register(type: string, fromVersion: number, upcaster: Upcaster): this {
    let versions = this.byType.get(type);
    if (!versions) this.byType.set(type, (versions = new Map<number, Upcaster>()));
    if (versions.has(fromVersion)) throw new Error(`an upcaster for ${type} v${fromVersion} is already registered`);
    versions.set(fromVersion, upcaster);
    return this;
  }

  /** The event in its current shape (the same object when nothing applies). */
  upcast(event: StoredEvent, facts: UpcastFacts = noUpcastFacts): StoredEvent {
    const versions = this.byType.get(event.type);
    if (versions === undefined) return event;
    let step = versions.get(event.metadata.schemaVersion);
    if (step === undefined) return event;
    let version = event.metadata.schemaVersion;
    let data = event.data;
    while (step !== undefined) {
      data = step(data, event, facts);
      version += 1;
      step = versions.get(version);
    }
    return { ...event, data, metadata: { ...event.metadata, schemaVersion: version } };
  }

  /**
   * Upcasting for one reader of a log: workspace time zones are learned from the WorkspaceCreated
   * events read (a zone never changes for an old event), and fetched with `readStream` when an
   * event needs one not seen yet. One per reader: what it learned serves the events read after.
   */
  reader(): LogUpcast {
    const zones = new Map<string, string>();
    const facts = upcastFactsFrom(zones);
    return async (event, readStream) => {
      if (event.type === 'WorkspaceCreated') zones.set(event.metadata.workspaceId, (event.data as { timeZone: string }).timeZone);
      const workspaceId = workspaceFactsNeeded(event);
      if (workspaceId !== undefined && !zones.has(workspaceId)) {
        const created = (await readStream(workspaceStream(workspaceId))).find((e) => e.type === 'WorkspaceCreated');
        if (created) zones.set(workspaceId, (created.data as { timeZone: string }).timeZone);
      }
      return this.upcast(event, facts);
    };
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
  const v2: Omit<SessionCreated['data'], 'timeZone' | 'startAt' | 'endAt'> = {
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

/**
 * v2 → v3: the session gets its zone and instants. The zone is the workspace's (as of the event);
 * the local day is resolved as a new booking's would be, except for sessions that came from v1,
 * whose stored day is all that is known. A start time in a DST gap or overlap cannot be refused
 * after the fact: it resolves the way Temporal's "compatible" does (later in a gap, earlier in an
 * overlap), as the wall clock of the time would have read.
 */
export const sessionCreatedV2ToV3: Upcaster = (raw, _event, facts) => {
  const v2 = raw as Omit<SessionCreated['data'], 'timeZone' | 'startAt' | 'endAt'>;
  const timeZone = facts.workspaceTimeZone(v2.workspaceId) ?? 'UTC';
  const localDay = v2.durationSource === 'legacy' ? v2.date.slice(0, 10) : localDayOf(v2.requested.date, timeZone);
  const local = Temporal.PlainDate.from(localDay).toPlainDateTime(Temporal.PlainTime.from(v2.startTime));
  const start = local.toZonedDateTime(timeZone, { disambiguation: 'compatible' }).toInstant();
  const end = start.add({ minutes: v2.durationMinutes });
  const v3: SessionCreated['data'] = {
    ...v2,
    timeZone,
    date: `${localDay}T00:00:00.000Z`,
    endTime: end.toZonedDateTimeISO(timeZone).toPlainTime().toString({ smallestUnit: 'minute' }),
    startAt: new Date(start.epochMilliseconds).toISOString(),
    endAt: new Date(end.epochMilliseconds).toISOString(),
  };
  return v3;
};

/** Every upcaster of this release. */
export const upcasters = new UpcasterRegistry()
  .register('SessionCreated', 1, sessionCreatedV1ToV2)
  .register('SessionCreated', 2, sessionCreatedV2ToV3);

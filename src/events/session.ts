import type { Event } from './envelope.js';

export const sessionStatuses = ['scheduled', 'in-progress', 'completed', 'cancelled'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

export type FieldValue = {
  fieldKey: string;
  value: string | number | boolean | null;
  phase: string;
};

/**
 * How `durationMinutes` was decided: given in the request, summed from the services, or the 60-minute default.
 * `legacy`: upcast from a schemaVersion 1 event, which kept only the outcome; how the duration was
 * derived was not recorded and is not guessed (see src/events/upcasters.ts). The decider never emits it.
 */
export type DurationSource = 'request' | 'services' | 'default' | 'legacy';

/**
 * SessionCreated records the facts the decision was made on, not only its outcome:
 * what was requested, the catalog entries as they were (names and durations), and how the
 * duration was derived. A projection can therefore rebuild the session view from this event
 * alone, and an auditor can see why the duration is what it is.
 */
/** A session as requested (after parsing: trimmed, defaults applied). */
export interface SessionRequest {
  name: string;
  clientId: string;
  serviceIds: string[];
  staffId: string | null;
  date: string;
  startTime: string;
  durationMinutes: number | null;
  status: SessionStatus;
  fieldValues: FieldValue[];
}

export type SessionCreated = Event<
  'SessionCreated',
  {
    sessionId: string;
    workspaceId: string;
    requested: SessionRequest;
    client: { id: string; name: string };
    services: { id: string; name: string; durationMinutes: number | null }[];
    staff: { id: string; name: string } | null;
    /** Midnight UTC of the requested date's UTC calendar day. */
    date: string;
    startTime: string;
    endTime: string;
    durationMinutes: number;
    durationSource: DurationSource;
    /** The durations that were summed when `durationSource` is `services` or `default` (missing ones as 0). */
    summedServiceDurations: number[];
    status: SessionStatus;
    fieldValues: FieldValue[];
  }
>;
export const sessionCreatedVersion = 2;

/** Every event of a session's stream. */
export type SessionEvent = SessionCreated;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const sessionEventVersions = { SessionCreated: sessionCreatedVersion } as const;

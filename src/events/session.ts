import type { Event } from './envelope.js';

export const sessionStatuses = ['scheduled', 'in-progress', 'completed', 'cancelled'] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

export interface FieldValue {
  fieldKey: string;
  value: string | number | boolean | null;
  phase: string;
}

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
export type SessionRequest = SessionRequestFields & SessionOverlapRequest;

/** Overbooking on purpose (with sessions.overbook): both present only when the request asked for it. */
export type SessionOverlapRequest = { allowOverlap?: undefined; overlapReason?: undefined } | { allowOverlap: true; overlapReason: string };

export interface SessionRequestFields {
  name: string;
  clientId: string;
  serviceIds: string[];
  staffId: string | null;
  date: string;
  startTime: string;
  durationMinutes: number | null;
  status: SessionStatus;
  fieldValues: FieldValue[];
  /** Which of two instants a local start time that happens twice means; present only when the request said. */
  disambiguation?: 'earlier' | 'later';
}

/** Where a session sits in time: its local day and times in a zone, and the instants they resolved to. */
export interface SessionTimes {
  /** The workspace's IANA zone when the session was scheduled. */
  timeZone: string;
  /** Midnight UTC of the local day (the documented `date` shape). */
  date: string;
  startTime: string;
  /** `endAt` on the local wall clock. */
  endTime: string;
  durationMinutes: number;
  /** ISO instants, UTC, milliseconds. */
  startAt: string;
  endAt: string;
}

export interface ServiceBooked {
  id: string;
  name: string;
  durationMinutes: number | null;
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
    /** The workspace's zone the session was scheduled in. */
    timeZone: string;
    /** Midnight UTC of the session's local day in `timeZone`. */
    date: string;
    startTime: string;
    endTime: string;
    durationMinutes: number;
    startAt: string;
    endAt: string;
    durationSource: DurationSource;
    /** The durations that were summed when `durationSource` is `services` or `default` (missing ones as 0). */
    summedServiceDurations: number[];
    status: SessionStatus;
    fieldValues: FieldValue[];
  }
>;
export const sessionCreatedVersion = 3;

/** A change's optional note: why it was made, as the user gave it. */
interface Reason {
  reason: string | null;
}

/** The session moved in time: a new day, start or duration (and so new instants). */
export type SessionRescheduled = Event<
  'SessionRescheduled',
  {
    sessionId: string;
    workspaceId: string;
    from: SessionTimes;
    to: SessionTimes;
    durationSource: DurationSource;
    disambiguation: 'earlier' | 'later' | null;
  } & Reason
>;

/** The services booked changed; `durationSource` tells how the duration was derived afterwards. */
export type SessionServicesChanged = Event<
  'SessionServicesChanged',
  {
    sessionId: string;
    workspaceId: string;
    from: ServiceBooked[];
    to: ServiceBooked[];
    durationSource: DurationSource;
    summedServiceDurations: number[];
  } & Reason
>;

export type SessionStaffReassigned = Event<
  'SessionStaffReassigned',
  { sessionId: string; workspaceId: string; from: { id: string; name: string } | null; to: { id: string; name: string } | null } & Reason
>;

export type SessionClientChanged = Event<
  'SessionClientChanged',
  { sessionId: string; workspaceId: string; from: { id: string; name: string }; to: { id: string; name: string } } & Reason
>;

/** Name and field values: only what changed is present, each with its old and new value. */
export type SessionDetailsChanged = Event<
  'SessionDetailsChanged',
  {
    sessionId: string;
    workspaceId: string;
    name?: { from: string; to: string };
    fieldValues?: { from: FieldValue[]; to: FieldValue[] };
  } & Reason
>;

export type SessionStarted = Event<'SessionStarted', { sessionId: string; workspaceId: string; from: SessionStatus }>;

export type SessionCompleted = Event<'SessionCompleted', { sessionId: string; workspaceId: string; from: SessionStatus }>;

export const cancellationReasons = ['client-request', 'practice', 'no-show', 'other'] as const;
export type CancellationReason = (typeof cancellationReasons)[number];

export type SessionCancelled = Event<
  'SessionCancelled',
  {
    sessionId: string;
    workspaceId: string;
    from: SessionStatus;
    reason: CancellationReason;
    note: string | null;
    /** Who the cancellation is attributed to: the client for `client-request`, the practice for the other reasons (as decided in commands/cancelSession.ts). */
    cancelledBy: 'practice' | 'client';
  }
>;

/** The session was booked over others of the same staff member on purpose (allowOverlap). */
export type SessionOverbooked = Event<
  'SessionOverbooked',
  { sessionId: string; workspaceId: string; reason: string; overlaps: { sessionId: string; startAt: string; endAt: string }[] }
>;

/** Every event of a session's stream. */
export type SessionEvent =
  | SessionCreated
  | SessionRescheduled
  | SessionServicesChanged
  | SessionStaffReassigned
  | SessionClientChanged
  | SessionDetailsChanged
  | SessionStarted
  | SessionCompleted
  | SessionCancelled
  | SessionOverbooked;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const sessionEventVersions = {
  SessionCreated: sessionCreatedVersion,
  SessionRescheduled: 1,
  SessionServicesChanged: 1,
  SessionStaffReassigned: 1,
  SessionClientChanged: 1,
  SessionDetailsChanged: 1,
  SessionStarted: 1,
  SessionCompleted: 1,
  SessionCancelled: 1,
  SessionOverbooked: 1,
} as const;

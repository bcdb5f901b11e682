/**
 * No double bookings: a staff member's time is claimed in the streams of the UTC days it touches
 * (src/events/staffDay.ts). Given what those streams hold, decides the releases and claims a
 * change of a session's time or staff member needs, or refuses it with a 409 listing the sessions
 * it would overlap. Back-to-back sessions ([a, b) then [b, c)) do not overlap. Pure.
 */
import { AppError } from '../errors.js';
import type { EventMetadata, StoredEvent } from '../events/envelope.js';
import type { StaffDayEvent, StaffTimeReleased } from '../events/staffDay.js';
import { staffDayStream } from '../events/streams.js';

/** The time a session holds: its staff member and its instants. */
export interface TimeClaim {
  sessionId: string;
  staffId: string;
  startAt: string;
  endAt: string;
}

export interface Busy {
  sessionId: string;
  startAt: string;
  endAt: string;
}

/** 409: the staff member is busy then. Lists ids and times only, nothing of another client's data. */
export class SlotConflictError extends AppError {
  readonly code = 'slot-conflict';
  readonly status = 409;
  constructor(
    message: string,
    readonly conflicts: Busy[],
  ) {
    super(message);
  }

  override problemExtensions(): Record<string, unknown> {
    return { conflicts: this.conflicts };
  }
}

const dayMs = 86_400_000;

/** The UTC days [startAt, endAt) touches (a session lasts at most a day: one or two). */
export const daysOf = (startAt: string, endAt: string): string[] => {
  const first = Math.floor(Date.parse(startAt) / dayMs);
  const last = Math.floor((Date.parse(endAt) - 1) / dayMs);
  const days: string[] = [];
  for (let d = first; d <= Math.max(first, last); d += 1) days.push(new Date(d * dayMs).toISOString().slice(0, 10));
  return days;
};

export const streamsOf = (workspaceId: string, claim: TimeClaim): string[] =>
  daysOf(claim.startAt, claim.endAt).map((day) => staffDayStream(workspaceId, claim.staffId, day));

/** The claims a day's stream holds now: claimed and not released since, by session. */
export const activeClaims = (events: readonly StoredEvent[]): Map<string, Busy> => {
  const active = new Map<string, Busy>();
  for (const event of events) {
    const e = event as unknown as StaffDayEvent;
    switch (e.type) {
      case 'StaffTimeClaimed':
        active.set(e.data.sessionId, { sessionId: e.data.sessionId, startAt: e.data.startAt, endAt: e.data.endAt });
        break;
      case 'StaffTimeReleased':
        active.delete(e.data.sessionId);
        break;
    }
  }
  return active;
};

const overlaps = (a: { startAt: string; endAt: string }, b: { startAt: string; endAt: string }): boolean =>
  Date.parse(a.startAt) < Date.parse(b.endAt) && Date.parse(b.startAt) < Date.parse(a.endAt);

const sameClaim = (a: TimeClaim | null, b: TimeClaim | null): boolean =>
  a === b || (a !== null && b !== null && a.staffId === b.staffId && a.startAt === b.startAt && a.endAt === b.endAt);

export interface StaffTimeDecision {
  /** Events per day stream (only the streams that change). */
  writes: { streamId: string; events: StaffDayEvent[] }[];
  /** The sessions a claim overlaps on purpose (allowOverlap), empty otherwise. */
  overlapped: Busy[];
}

/**
 * The releases and claims that move a session's time from `before` to `after` (null: it holds
 * none, e.g. no staff member or cancelled). `read` holds every stream of both.
 */
export const decideStaffTime = (input: {
  workspaceId: string;
  before: TimeClaim | null;
  after: TimeClaim | null;
  read: ReadonlyMap<string, readonly StoredEvent[]>;
  /** Overbooking on purpose: the reason given. */
  allowOverlap: string | null;
  because: StaffTimeReleased['data']['because'];
  metadata: EventMetadata;
}): StaffTimeDecision => {
  const { workspaceId, before, after } = input;
  if (sameClaim(before, after)) return { writes: [], overlapped: [] };
  const writes = new Map<string, StaffDayEvent[]>();
  const add = (streamId: string, event: StaffDayEvent) => writes.set(streamId, [...(writes.get(streamId) ?? []), event]);
  const metadata = { ...input.metadata, schemaVersion: 1 };

  if (before) {
    for (const streamId of streamsOf(workspaceId, before)) {
      if (!activeClaims(input.read.get(streamId) ?? []).has(before.sessionId)) continue;
      add(streamId, {
        type: 'StaffTimeReleased',
        data: {
          workspaceId,
          staffId: before.staffId,
          day: streamId.slice(-10),
          sessionId: before.sessionId,
          startAt: before.startAt,
          endAt: before.endAt,
          because: input.because,
        },
        metadata,
      });
    }
  }
  let overlapped: Busy[] = [];
  if (after) {
    const conflicts = new Map<string, Busy>();
    for (const streamId of streamsOf(workspaceId, after)) {
      for (const busy of activeClaims(input.read.get(streamId) ?? []).values()) {
        if (busy.sessionId !== after.sessionId && overlaps(busy, after)) conflicts.set(busy.sessionId, busy);
      }
    }
    overlapped = [...conflicts.values()].sort((a, b) => a.startAt.localeCompare(b.startAt) || a.sessionId.localeCompare(b.sessionId));
    // Why the claim overlaps others: the reason given, or a 409 when none was.
    let overlapReason: string | null = null;
    if (overlapped.length > 0) {
      if (input.allowOverlap === null) {
        throw new SlotConflictError(
          `The staff member is already booked then: ${overlapped.map((c) => `session ${c.sessionId} (${c.startAt} to ${c.endAt})`).join(', ')}.`,
          overlapped,
        );
      }
      overlapReason = input.allowOverlap;
    }
    for (const streamId of streamsOf(workspaceId, after)) {
      add(streamId, {
        type: 'StaffTimeClaimed',
        data: {
          workspaceId,
          staffId: after.staffId,
          day: streamId.slice(-10),
          sessionId: after.sessionId,
          startAt: after.startAt,
          endAt: after.endAt,
          overlap: overlapReason === null ? null : { reason: overlapReason, sessionIds: overlapped.map((c) => c.sessionId) },
        },
        metadata,
      });
    }
  }
  return { writes: [...writes].map(([streamId, events]) => ({ streamId, events })), overlapped };
};

/**
 * A staff member's UTC day: the consistency boundary that keeps their sessions from overlapping.
 * Its stream holds claims and releases of time; a booking reads the (at most two) days its time
 * touches, decides, and appends its session events and its claims in one atomic multi-stream
 * append at the revisions it read, so two bookings of the same slot cannot both succeed.
 */
import type { Event } from './envelope.js';

export type StaffTimeClaimed = Event<
  'StaffTimeClaimed',
  {
    workspaceId: string;
    staffId: string;
    /** The UTC day of this stream, YYYY-MM-DD. */
    day: string;
    sessionId: string;
    startAt: string;
    endAt: string;
    /** Set when the claim overlaps others on purpose (allowOverlap): why, and the sessions it overlaps. */
    overlap: { reason: string; sessionIds: string[] } | null;
  }
>;

export type StaffTimeReleased = Event<
  'StaffTimeReleased',
  {
    workspaceId: string;
    staffId: string;
    day: string;
    sessionId: string;
    startAt: string;
    endAt: string;
    /** What freed the time. */
    because: 'cancelled' | 'rescheduled' | 'reassigned';
  }
>;

export type StaffDayEvent = StaffTimeClaimed | StaffTimeReleased;

export const staffDayEventVersions = { StaffTimeClaimed: 1, StaffTimeReleased: 1 } as const;

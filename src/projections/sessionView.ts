import type { Recorded } from '../events/envelope.js';
import type { CancellationReason, FieldValue, SessionEvent, SessionStatus, SessionTimes } from '../events/session.js';
import { defineProjection, type EventHandler } from './defineProjection.js';
import { byId } from './projection.js';

export interface SessionView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  clientId: string;
  clientName: string;
  serviceIds: string[];
  serviceNames: string[];
  staffId: string | null;
  staffName: string | null;
  name: string;
  date: string;
  startTime: string;
  endTime: string;
  durationMinutes: number;
  status: SessionStatus;
  fieldValues: FieldValue[];
  attachments: unknown[];
  notes: unknown[];
  invoice: null;
  createdAt: string;
  /** The time of the last event. */
  updatedAt: string;
  /** Events in the session's stream: the ETag, and what If-Match names. */
  version: number;
  /** The workspace's zone when the session was last scheduled. */
  timeZone: string;
  startAt: string;
  endAt: string;
  startedAt: string | null;
  completedAt: string | null;
  cancellation: { reason: CancellationReason; note: string | null; at: string; by: { userId: string; name?: string } } | null;
  /** Set when the session was booked over another of its staff member's on purpose. */
  overbooked: { reason: string; by: { userId: string; name?: string } } | null;
}

/**
 * Kept per workspace beside its sessions, in the same collection and the same writes: how far
 * before an instant a session that overlaps it may start. The list query reads the start index
 * from `from` minus `longestMinutes` instead of minus the longest a session may last (a day).
 * It never decreases: when the longest session is shortened or cancelled, the next longest is
 * not known without reading every session, and a bound too large costs a few rows read where
 * one too small would lose sessions.
 */
export interface SessionBounds {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  /** The longest any session of the workspace has lasted (endAt − startAt), in whole minutes rounded up. */
  longestMinutes: number;
  /**
   * True when the view saw the workspace created, so every session of it went through this
   * document. False when the document began with a later event (a read model built before the
   * view kept bounds): sessions stored before it are not counted, and the query must not trust
   * `longestMinutes` alone until the view is rebuilt.
   */
  sinceCreation: boolean;
}

/** Not hexadecimal, so never a session id (ObjectIds). */
export const sessionBoundsIdPrefix = 'bounds-';
export const sessionBoundsId = (workspaceId: string): string => `${sessionBoundsIdPrefix}${workspaceId}`;

export const sessionMinutes = (t: Pick<SessionTimes, 'startAt' | 'endAt'>): number =>
  Math.ceil((Date.parse(t.endAt) - Date.parse(t.startAt)) / 60_000);

/** The bounds after a session took these times. */
const lasting = (current: SessionBounds | null, workspaceId: string, t: Pick<SessionTimes, 'startAt' | 'endAt'>): SessionBounds => {
  const minutes = sessionMinutes(t);
  if (current === null) return { id: sessionBoundsId(workspaceId), workspaceId, longestMinutes: minutes, sinceCreation: false };
  // The very same document when nothing grows: the store then has nothing to write (evolveStored).
  return minutes > current.longestMinutes ? { ...current, longestMinutes: minutes } : current;
};

/** Every session event touches its own session; each change also moves `updatedAt` and `version`. */
const change = <T extends SessionEvent['type']>(
  apply: (current: SessionView, event: Recorded<Extract<SessionEvent, { type: T }>>) => Partial<SessionView>,
): EventHandler<SessionView, T> => ({
  documents: (event) => {
    const e = event as unknown as Recorded<SessionEvent>;
    return byId(e.data.workspaceId, e.data.sessionId);
  },
  evolve: (current, event) => {
    const e = event as unknown as Recorded<Extract<SessionEvent, { type: T }>>;
    return current === null
      ? null
      : { ...current, ...apply(current, e), updatedAt: e.metadata.occurredAt, version: Number(e.revision) + 1 };
  },
});

const times = (t: SessionTimes) => ({
  date: t.date,
  startTime: t.startTime,
  endTime: t.endTime,
  durationMinutes: t.durationMinutes,
  timeZone: t.timeZone,
  startAt: t.startAt,
  endAt: t.endAt,
});

export const sessionView = defineProjection<SessionView, SessionBounds>({
  name: 'sessions',
  collection: 'sessions',
  // The list and calendar queries (by day, by staff member, by client, by service), and the
  // lookups a catalog rename uses to find the sessions that show a name.
  indexes: [
    { name: 'by_start', fields: ['startAt'] },
    { name: 'by_staff', fields: ['staffId', 'startAt'] },
    { name: 'by_client', fields: ['clientId', 'startAt'] },
    { name: 'by_service', fields: ['serviceIds'], multi: true },
  ],
  on: {
    SessionCreated: {
      documents: (e) => byId(e.data.workspaceId, e.data.sessionId),
      evolve: (_current, e) => {
        const d = e.data;
        return {
          id: d.sessionId,
          workspaceId: d.workspaceId,
          clientId: d.client.id,
          clientName: d.client.name,
          serviceIds: d.services.map((s) => s.id),
          serviceNames: d.services.map((s) => s.name),
          staffId: d.staff?.id ?? null,
          staffName: d.staff?.name ?? null,
          name: d.requested.name,
          date: d.date,
          startTime: d.startTime,
          endTime: d.endTime,
          durationMinutes: d.durationMinutes,
          status: d.status,
          fieldValues: d.fieldValues.map((f) => ({ fieldKey: f.fieldKey, value: f.value, phase: f.phase })),
          attachments: [],
          notes: [],
          invoice: null,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
          version: Number(e.revision) + 1,
          timeZone: d.timeZone,
          startAt: d.startAt,
          endAt: d.endAt,
          startedAt: null,
          completedAt: null,
          cancellation: null,
          overbooked: null,
        };
      },
    },
    SessionRescheduled: change((_s, e) => times(e.data.to)),
    SessionServicesChanged: change((_s, e) => ({ serviceIds: e.data.to.map((s) => s.id), serviceNames: e.data.to.map((s) => s.name) })),
    SessionStaffReassigned: change((_s, e) => ({ staffId: e.data.to?.id ?? null, staffName: e.data.to?.name ?? null })),
    SessionClientChanged: change((_s, e) => ({ clientId: e.data.to.id, clientName: e.data.to.name })),
    SessionDetailsChanged: change((s, e) => ({
      name: e.data.name?.to ?? s.name,
      fieldValues: (e.data.fieldValues?.to ?? s.fieldValues).map((f) => ({ fieldKey: f.fieldKey, value: f.value, phase: f.phase })),
    })),
    SessionStarted: change((_s, e) => ({ status: 'in-progress', startedAt: e.metadata.occurredAt })),
    SessionCompleted: change((_s, e) => ({ status: 'completed', completedAt: e.metadata.occurredAt })),
    SessionOverbooked: change((_s, e) => ({ overbooked: { reason: e.data.reason, by: { ...e.metadata.actor } } })),
    SessionCancelled: change((_s, e) => ({
      status: 'cancelled',
      cancellation: { reason: e.data.reason, note: e.data.note, at: e.metadata.occurredAt, by: { ...e.metadata.actor } },
    })),
    // A catalog rename reaches every session that shows the name, found through the indexes above.
    // It is not an event of the session: its version, updatedAt and events keep what was booked.
    ClientRenamed: {
      documents: (e) => ({ workspaceId: e.data.workspaceId, where: { field: 'clientId', equals: e.data.clientId } }),
      evolve: (current, e) => (current?.clientId !== e.data.clientId ? current : { ...current, clientName: e.data.to }),
    },
    ServiceRenamed: {
      documents: (e) => ({ workspaceId: e.data.workspaceId, where: { field: 'serviceIds', equals: e.data.serviceId } }),
      evolve: (current, e) =>
        !current?.serviceIds.includes(e.data.serviceId)
          ? current
          : {
              ...current,
              // The names stand beside the ids, one each.
              serviceNames: current.serviceNames.map((name, i) => (current.serviceIds[i] === e.data.serviceId ? e.data.to : name)),
            },
    },
    StaffMemberRenamed: {
      documents: (e) => ({ workspaceId: e.data.workspaceId, where: { field: 'staffId', equals: e.data.staffId } }),
      evolve: (current, e) => (current?.staffId !== e.data.staffId ? current : { ...current, staffName: e.data.to }),
    },
  },
  workspaceDocument: {
    idPrefix: sessionBoundsIdPrefix,
    on: {
      WorkspaceCreated: (current, e) =>
        current === null
          ? { id: sessionBoundsId(e.data.workspaceId), workspaceId: e.data.workspaceId, longestMinutes: 0, sinceCreation: true }
          : { ...current, sinceCreation: true },
      SessionCreated: (current, e) => lasting(current, e.data.workspaceId, e.data),
      SessionRescheduled: (current, e) => lasting(current, e.data.workspaceId, e.data.to),
    },
  },
});

/**
 * The session aggregate: its state folded from its own stream, the decision for each command,
 * and the wiring of each command to the one command path. A new command is a case here (and a
 * file with its schema and rule), a new event a case of `evolveSession`; the `never` checks make a
 * missing case a compile error.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { SessionEvent } from '../events/session.js';
import { sessionStream } from '../events/streams.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { decideCancelSession, type CancelSession, type CancelSessionInput } from './cancelSession.js';
import { initialCatalogState, type CatalogState } from './catalogState.js';
import { decideCompleteSession, type CompleteSession } from './completeSession.js';
import { decideCreateSession, type CreateSession, type CreateSessionInput } from './createSession.js';
import type { Decider } from './decider.js';
import type { AggregateCommand, Boundary } from './handle.js';
import { decideStaffTime, streamsOf, type TimeClaim } from './staffTime.js';
import { loadCatalog } from './loadCatalog.js';
import type { SessionSnapshot } from './sessionStatus.js';
import { decideStartSession, type StartSession } from './startSession.js';
import { decideUpdateSession, type SessionPatch, type UpdateSession } from './updateSession.js';

export type SessionCommand = CreateSession | UpdateSession | StartSession | CompleteSession | CancelSession;

/** null before the session was created. */
export type SessionState = SessionSnapshot | null;

/** Facts from outside the stream, looked up before deciding. */
export interface SessionContext {
  catalog: CatalogState;
}

export const evolveSession = (state: SessionState, event: SessionEvent): SessionState => {
  if (event.type === 'SessionCreated') {
    const d = event.data;
    return {
      id: d.sessionId,
      workspaceId: d.workspaceId,
      status: d.status,
      name: d.requested.name,
      client: d.client,
      services: d.services,
      staff: d.staff,
      times: {
        timeZone: d.timeZone,
        date: d.date,
        startTime: d.startTime,
        endTime: d.endTime,
        durationMinutes: d.durationMinutes,
        startAt: d.startAt,
        endAt: d.endAt,
      },
      durationSource: d.durationSource,
      summedServiceDurations: d.summedServiceDurations,
      disambiguation: d.requested.disambiguation ?? null,
      fieldValues: d.fieldValues,
      version: 1,
    };
  }
  if (state === null) throw new Error(`${event.type} before SessionCreated in a session stream`);
  const next = { ...state, version: state.version + 1 };
  switch (event.type) {
    case 'SessionRescheduled':
      return { ...next, times: event.data.to, durationSource: event.data.durationSource, disambiguation: event.data.disambiguation };
    case 'SessionServicesChanged':
      return {
        ...next,
        services: event.data.to,
        durationSource: event.data.durationSource,
        summedServiceDurations: event.data.summedServiceDurations,
      };
    case 'SessionStaffReassigned':
      return { ...next, staff: event.data.to };
    case 'SessionClientChanged':
      return { ...next, client: event.data.to };
    case 'SessionDetailsChanged':
      return { ...next, name: event.data.name?.to ?? state.name, fieldValues: event.data.fieldValues?.to ?? state.fieldValues };
    case 'SessionStarted':
      return { ...next, status: 'in-progress' };
    case 'SessionCompleted':
      return { ...next, status: 'completed' };
    case 'SessionCancelled':
      return { ...next, status: 'cancelled' };
    case 'SessionOverbooked':
      return next;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled session event ${(unhandled as SessionEvent).type}`);
    }
  }
};

const existing = (state: SessionState, sessionId: string): SessionSnapshot => {
  if (state === null) throw new NotFoundError(`Session ${sessionId} was not found in this workspace.`);
  return state;
};

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState, SessionContext> = {
  initialState: () => null,
  evolve: evolveSession,
  decide: (command, state, context) => {
    switch (command.type) {
      case 'CreateSession':
        if (state !== null) throw new ConflictError(`Session ${state.id} already exists.`);
        return decideCreateSession(command, context.catalog);
      case 'UpdateSession':
        return decideUpdateSession(command, existing(state, command.data.sessionId), context.catalog);
      case 'StartSession':
        return decideStartSession(command, existing(state, command.data.sessionId));
      case 'CompleteSession':
        return decideCompleteSession(command, existing(state, command.data.sessionId));
      case 'CancelSession':
        return decideCancelSession(command, existing(state, command.data.sessionId));
      default: {
        const unhandled: never = command;
        throw new Error(`unhandled session command ${(unhandled as SessionCommand).type}`);
      }
    }
  },
};

type SessionSpec = AggregateCommand<SessionCommand, SessionEvent, SessionState, SessionContext>;

/** The time a session holds while it is not cancelled and has a staff member. */
export const claimOf = (state: SessionState): TimeClaim | null =>
  !state?.staff || state.status === 'cancelled'
    ? null
    : { sessionId: state.id, staffId: state.staff.id, startAt: state.times.startAt, endAt: state.times.endAt };

const overlapReasonOf = (command: SessionCommand): string | null => {
  if (command.type === 'CreateSession') return command.data.overlapReason ?? null;
  if (command.type === 'UpdateSession') return command.data.patch.overlapReason ?? null;
  return null;
};

/** No double bookings: every change of a session's time or staff member claims and releases time in the staff member's days. */
export const staffTimeBoundary = (workspaceId: string): Boundary<SessionCommand, SessionEvent, SessionState> => ({
  streams: (before, after) => [claimOf(before), claimOf(after)].flatMap((claim) => (claim ? streamsOf(workspaceId, claim) : [])),
  decide: (read, { before, after, command, metadata }) => {
    const from = claimOf(before);
    const to = claimOf(after);
    const because =
      to === null && after?.status === 'cancelled'
        ? 'cancelled'
        : from && to && from.staffId !== to.staffId
          ? 'reassigned'
          : to === null
            ? 'reassigned'
            : 'rescheduled';
    const reason = overlapReasonOf(command);
    const decision = decideStaffTime({ workspaceId, before: from, after: to, read, allowOverlap: reason, because, metadata });
    if (decision.overlapped.length === 0 || after === null) return { aggregate: [], writes: decision.writes };
    // decideStaffTime refuses an overlap (409) unless the command gave a reason for it.
    if (reason === null) throw new Error('decideStaffTime accepted an overlap the command gave no reason for');
    const overbooked: SessionEvent = {
      type: 'SessionOverbooked',
      data: { sessionId: after.id, workspaceId, reason, overlaps: decision.overlapped },
      metadata: { ...metadata, schemaVersion: 1 },
    };
    return { aggregate: [overbooked], writes: decision.writes };
  },
});

const sessionAggregate = (workspaceId: string) => ({
  kind: 'session',
  decider: sessionDecider,
  stream: sessionStream,
  workspaceOf: () => workspaceId,
  boundary: staffTimeBoundary(workspaceId),
});

const noLookup = async (): Promise<SessionContext> => ({ catalog: initialCatalogState() });

/** CreateSession: a new session stream, decided against the catalog entries it names. */
export const createSessionSpec = (readModel: ReadModelStore, workspaceId: string, input: CreateSessionInput): SessionSpec => ({
  ...sessionAggregate(workspaceId),
  target: { create: true },
  lookup: async () => ({
    catalog: await loadCatalog(readModel, workspaceId, {
      clientIds: [input.clientId],
      serviceIds: input.serviceIds,
      staffIds: input.staffId === null ? [] : [input.staffId],
    }),
  }),
  command: (sessionId, metadata) => ({ type: 'CreateSession', data: { ...input, sessionId, workspaceId }, metadata }),
});

/** UpdateSession: decided against the workspace (its zone) and the catalog entries the patch names. */
export const updateSessionSpec = (readModel: ReadModelStore, workspaceId: string, sessionId: string, patch: SessionPatch): SessionSpec => ({
  ...sessionAggregate(workspaceId),
  target: { create: false, id: sessionId, label: 'Session' },
  lookup: async () => ({
    catalog: await loadCatalog(readModel, workspaceId, {
      clientIds: patch.clientId === undefined ? [] : [patch.clientId],
      serviceIds: patch.serviceIds ?? [],
      staffIds: patch.staffId === undefined || patch.staffId === null ? [] : [patch.staffId],
    }),
  }),
  command: (id, metadata) => ({ type: 'UpdateSession', data: { sessionId: id, workspaceId, patch }, metadata }),
});

const actionSpec = (workspaceId: string, sessionId: string, command: SessionSpec['command']): SessionSpec => ({
  ...sessionAggregate(workspaceId),
  target: { create: false, id: sessionId, label: 'Session' },
  lookup: noLookup,
  command,
});

export const startSessionSpec = (workspaceId: string, sessionId: string): SessionSpec =>
  actionSpec(workspaceId, sessionId, (id, metadata) => ({ type: 'StartSession', data: { sessionId: id, workspaceId }, metadata }));

export const completeSessionSpec = (workspaceId: string, sessionId: string): SessionSpec =>
  actionSpec(workspaceId, sessionId, (id, metadata) => ({ type: 'CompleteSession', data: { sessionId: id, workspaceId }, metadata }));

export const cancelSessionSpec = (workspaceId: string, sessionId: string, input: CancelSessionInput): SessionSpec =>
  actionSpec(workspaceId, sessionId, (id, metadata) => ({
    type: 'CancelSession',
    data: { ...input, sessionId: id, workspaceId },
    metadata,
  }));

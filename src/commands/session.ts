/**
 * The session aggregate: its state folded from its own stream, and the decision for each command.
 * A new command is a case here (and a file with its schema and rule), a new event a case of
 * `evolveSession`; the `never` checks make a missing case a compile error.
 */
import { ConflictError } from '../errors.js';
import type { FieldValue, SessionCreated, SessionEvent, SessionStatus } from '../events/session.js';
import { sessionStream } from '../events/streams.js';
import type { ReadModelStore } from '../stores/readModel.js';
import type { CatalogState } from './catalogState.js';
import { decideCreateSession, type CreateSession, type CreateSessionInput } from './createSession.js';
import type { Decider } from './decider.js';
import type { AggregateCommand } from './handle.js';
import { loadCatalog } from './loadCatalog.js';

export type SessionCommand = CreateSession;

/** What the decisions need to know of a session; null before it was created. */
export type SessionState = null | {
  id: string;
  workspaceId: string;
  status: SessionStatus;
  name: string;
  clientId: string;
  serviceIds: string[];
  staffId: string | null;
  date: string;
  startTime: string;
  durationMinutes: number;
  fieldValues: FieldValue[];
};

/** Facts from outside the stream, looked up before deciding. */
export interface SessionContext {
  catalog: CatalogState;
}

export const evolveSession = (state: SessionState, event: SessionEvent): SessionState => {
  switch (event.type) {
    case 'SessionCreated': {
      const d = event.data;
      return {
        id: d.sessionId,
        workspaceId: d.workspaceId,
        status: d.status,
        name: d.requested.name,
        clientId: d.client.id,
        serviceIds: d.services.map((s) => s.id),
        staffId: d.staff?.id ?? null,
        date: d.date,
        startTime: d.startTime,
        durationMinutes: d.durationMinutes,
        fieldValues: d.fieldValues,
      };
    }
    default: {
      const unhandled: never = event.type;
      throw new Error(`unhandled session event ${String(unhandled)}`);
    }
  }
};

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState, SessionContext> = {
  initialState: () => null,
  evolve: evolveSession,
  decide: (command, state, context) => {
    switch (command.type) {
      case 'CreateSession':
        if (state !== null) throw new ConflictError(`Session ${state.id} already exists.`);
        return decideCreateSession(command, context.catalog);
      default: {
        const unhandled: never = command.type;
        throw new Error(`unhandled session command ${String(unhandled)}`);
      }
    }
  },
};

/** The write-path wiring for CreateSession: a new session stream, decided against the catalog entries it names. */
export const createSessionSpec = (
  readModel: ReadModelStore,
  workspaceId: string,
  input: CreateSessionInput,
): AggregateCommand<SessionCommand, SessionCreated, SessionState, SessionContext> => ({
  kind: 'session',
  decider: sessionDecider,
  stream: sessionStream,
  workspaceOf: () => workspaceId,
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

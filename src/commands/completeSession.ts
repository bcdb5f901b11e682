/** CompleteSession: a scheduled or in-progress session is done. */
import type { EventMetadata } from '../events/envelope.js';
import type { SessionCompleted } from '../events/session.js';
import { requireAction, type SessionSnapshot } from './sessionStatus.js';

export interface CompleteSession {
  type: 'CompleteSession';
  data: { sessionId: string; workspaceId: string };
  metadata: EventMetadata;
}

export const decideCompleteSession = (command: CompleteSession, session: SessionSnapshot): SessionCompleted[] => {
  requireAction(session.status, 'complete');
  return [
    { type: 'SessionCompleted', data: { ...command.data, from: session.status }, metadata: { ...command.metadata, schemaVersion: 1 } },
  ];
};

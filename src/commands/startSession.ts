/** StartSession: a scheduled session begins (in-progress). */
import type { EventMetadata } from '../events/envelope.js';
import type { SessionStarted } from '../events/session.js';
import { requireAction, type SessionSnapshot } from './sessionStatus.js';

export interface StartSession {
  type: 'StartSession';
  data: { sessionId: string; workspaceId: string };
  metadata: EventMetadata;
}

export const decideStartSession = (command: StartSession, session: SessionSnapshot): SessionStarted[] => {
  requireAction(session.status, 'start');
  return [{ type: 'SessionStarted', data: { ...command.data, from: session.status }, metadata: { ...command.metadata, schemaVersion: 1 } }];
};

import type { Event } from './envelope.js';

export type WorkspaceCreated = Event<
  'WorkspaceCreated',
  { workspaceId: string; name: string; timeZone: string }
>;
export const workspaceCreatedVersion = 1;

import type { Event } from './envelope.js';

export type WorkspaceCreated = Event<
  'WorkspaceCreated',
  { workspaceId: string; name: string; timeZone: string }
>;
export const workspaceCreatedVersion = 1;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const workspaceEventVersions = { WorkspaceCreated: workspaceCreatedVersion } as const;

import type { Event } from './envelope.js';

export type WorkspaceCreated = Event<'WorkspaceCreated', { workspaceId: string; name: string; timeZone: string }>;
export const workspaceCreatedVersion = 1;

export type WorkspaceRenamed = Event<'WorkspaceRenamed', { workspaceId: string; from: string; to: string }>;
export const workspaceRenamedVersion = 1;

/**
 * New bookings and reschedules use the new zone; existing sessions keep their recorded instants
 * (and the zone they were scheduled in).
 */
export type WorkspaceTimeZoneChanged = Event<'WorkspaceTimeZoneChanged', { workspaceId: string; from: string; to: string }>;
export const workspaceTimeZoneChangedVersion = 1;

export type WorkspaceEvent = WorkspaceCreated | WorkspaceRenamed | WorkspaceTimeZoneChanged;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const workspaceEventVersions = {
  WorkspaceCreated: workspaceCreatedVersion,
  WorkspaceRenamed: workspaceRenamedVersion,
  WorkspaceTimeZoneChanged: workspaceTimeZoneChangedVersion,
} as const;

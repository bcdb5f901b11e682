import type { Event } from './envelope.js';

export type StaffMemberAdded = Event<
  'StaffMemberAdded',
  { staffId: string; workspaceId: string; name: string; email: string | null }
>;
export const staffMemberAddedVersion = 1;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const staffEventVersions = { StaffMemberAdded: staffMemberAddedVersion } as const;

import type { Event } from './envelope.js';

export type StaffMemberAdded = Event<'StaffMemberAdded', { staffId: string; workspaceId: string; name: string; email: string | null }>;
export const staffMemberAddedVersion = 1;

/** The name changed; sessions that show the staff member show the new name, their events keep the booked one. */
export type StaffMemberRenamed = Event<'StaffMemberRenamed', { staffId: string; workspaceId: string; from: string; to: string }>;
export const staffMemberRenamedVersion = 1;

export type StaffMemberContactChanged = Event<
  'StaffMemberContactChanged',
  { staffId: string; workspaceId: string; email: { from: string | null; to: string | null } }
>;
export const staffMemberContactChangedVersion = 1;

export type StaffMemberArchived = Event<'StaffMemberArchived', { staffId: string; workspaceId: string }>;
export const staffMemberArchivedVersion = 1;

export type StaffMemberUnarchived = Event<'StaffMemberUnarchived', { staffId: string; workspaceId: string }>;
export const staffMemberUnarchivedVersion = 1;

export type StaffEvent = StaffMemberAdded | StaffMemberRenamed | StaffMemberContactChanged | StaffMemberArchived | StaffMemberUnarchived;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const staffEventVersions = {
  StaffMemberAdded: staffMemberAddedVersion,
  StaffMemberRenamed: staffMemberRenamedVersion,
  StaffMemberContactChanged: staffMemberContactChangedVersion,
  StaffMemberArchived: staffMemberArchivedVersion,
  StaffMemberUnarchived: staffMemberUnarchivedVersion,
} as const;

import type { Event } from './envelope.js';

export type StaffMemberAdded = Event<
  'StaffMemberAdded',
  { staffId: string; workspaceId: string; name: string; email: string | null }
>;
export const staffMemberAddedVersion = 1;

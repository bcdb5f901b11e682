import { defineProjection } from './defineProjection.js';
import { catalogChange, catalogIndexes } from './catalogChange.js';
import { nameKeys } from './nameKeys.js';
import { byId } from './projection.js';

export interface StaffView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  email: string | null;
  archived: boolean;
  /** Events in the staff member's stream: the ETag, and what If-Match names. */
  version: number;
  createdAt: string;
  updatedAt: string;
  nameSearch: string;
  nameSort: string;
}

const change = catalogChange<StaffView>('staffId');

export const staffView = defineProjection<StaffView>({
  name: 'staff',
  collection: 'staff',
  indexes: catalogIndexes,
  on: {
    StaffMemberAdded: {
      documents: (e) => byId(e.data.workspaceId, e.data.staffId),
      evolve: (_current, e) => ({
        id: e.data.staffId,
        workspaceId: e.data.workspaceId,
        name: e.data.name,
        email: e.data.email,
        archived: false,
        version: Number(e.revision) + 1,
        createdAt: e.metadata.occurredAt,
        updatedAt: e.metadata.occurredAt,
        ...nameKeys(e.data.name),
      }),
    },
    StaffMemberRenamed: change((_s, e) => ({ name: e.data.to, ...nameKeys(e.data.to) })),
    StaffMemberContactChanged: change((_s, e) => ({ email: e.data.email.to })),
    StaffMemberArchived: change(() => ({ archived: true })),
    StaffMemberUnarchived: change(() => ({ archived: false })),
  },
});

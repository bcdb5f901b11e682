import { defineProjection } from './defineProjection.js';
import { byId } from './projection.js';

export interface StaffView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
}

export const staffView = defineProjection<StaffView>({
  name: 'staff',
  collection: 'staff',
  on: {
    StaffMemberAdded: {
      documents: (e) => byId(e.data.workspaceId, e.data.staffId),
      evolve: (_current, e) => ({
          id: e.data.staffId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          email: e.data.email,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        }),
    },
  },
});

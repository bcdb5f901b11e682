import type { RecordedEvent } from '../events/index.js';
import { byId, type Projection } from './projection.js';

export interface StaffView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  email: string | null;
  createdAt: string;
  updatedAt: string;
}

export const staffView: Projection<StaffView> = {
  name: 'staff',
  collection: 'staff',
  handles: ['StaffMemberAdded'],
  documents: (event) => {
    const e = event as RecordedEvent;
    if (e.type !== 'StaffMemberAdded') throw new Error(`staff projection cannot place ${e.type}`);
    return byId(e.data.workspaceId, e.data.staffId);
  },
  evolve: (current, event) => {
    const e = event as RecordedEvent;
    switch (e.type) {
      case 'StaffMemberAdded':
        return {
          id: e.data.staffId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          email: e.data.email,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        };
      default:
        return current;
    }
  },
};

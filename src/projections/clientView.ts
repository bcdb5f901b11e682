import type { RecordedEvent } from '../events/index.js';
import { byId, type Projection } from './projection.js';

export interface ClientView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: string;
  updatedAt: string;
}

export const clientView: Projection<ClientView> = {
  name: 'clients',
  collection: 'clients',
  handles: ['ClientRegistered'],
  documents: (event) => {
    const e = event as RecordedEvent;
    if (e.type !== 'ClientRegistered') throw new Error(`clients projection cannot place ${e.type}`);
    return byId(e.data.workspaceId, e.data.clientId);
  },
  evolve: (current, event) => {
    const e = event as RecordedEvent;
    switch (e.type) {
      case 'ClientRegistered':
        return {
          id: e.data.clientId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          email: e.data.email,
          phone: e.data.phone,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        };
      default:
        return current;
    }
  },
};

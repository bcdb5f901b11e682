import { defineProjection } from './defineProjection.js';
import { byId } from './projection.js';

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

export const clientView = defineProjection<ClientView>({
  name: 'clients',
  collection: 'clients',
  on: {
    ClientRegistered: {
      documents: (e) => byId(e.data.workspaceId, e.data.clientId),
      evolve: (_current, e) => ({
          id: e.data.clientId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          email: e.data.email,
          phone: e.data.phone,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        }),
    },
  },
});

import { defineProjection } from './defineProjection.js';
import { catalogIndexes, catalogChange } from './catalogChange.js';
import { nameKeys } from './nameKeys.js';
import { byId } from './projection.js';

export interface ClientView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  email: string | null;
  phone: string | null;
  archived: boolean;
  /** Events in the client's stream: the ETag, and what If-Match names. */
  version: number;
  createdAt: string;
  updatedAt: string;
  nameSearch: string;
  nameSort: string;
}

const change = catalogChange<ClientView>('clientId');

export const clientView = defineProjection<ClientView>({
  name: 'clients',
  collection: 'clients',
  indexes: catalogIndexes,
  on: {
    ClientRegistered: {
      documents: (e) => byId(e.data.workspaceId, e.data.clientId),
      evolve: (_current, e) => ({
        id: e.data.clientId,
        workspaceId: e.data.workspaceId,
        name: e.data.name,
        email: e.data.email,
        phone: e.data.phone,
        archived: false,
        version: Number(e.revision) + 1,
        createdAt: e.metadata.occurredAt,
        updatedAt: e.metadata.occurredAt,
        ...nameKeys(e.data.name),
      }),
    },
    ClientRenamed: change((_c, e) => ({ name: e.data.to, ...nameKeys(e.data.to) })),
    ClientContactChanged: change((_c, e) => ({
      ...(e.data.email ? { email: e.data.email.to } : {}),
      ...(e.data.phone ? { phone: e.data.phone.to } : {}),
    })),
    ClientArchived: change(() => ({ archived: true })),
    ClientUnarchived: change(() => ({ archived: false })),
  },
});

import { defineProjection } from './defineProjection.js';
import { byId } from './projection.js';

export interface ServiceView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  scope: string;
  durationMinutes: number | null;
  createdAt: string;
  updatedAt: string;
}

export const serviceView = defineProjection<ServiceView>({
  name: 'services',
  collection: 'services',
  on: {
    ServiceDefined: {
      documents: (e) => byId(e.data.workspaceId, e.data.serviceId),
      evolve: (_current, e) => ({
          id: e.data.serviceId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          scope: e.data.scope,
          durationMinutes: e.data.durationMinutes,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        }),
    },
  },
});

import { defineProjection } from './defineProjection.js';
import { catalogChange, catalogIndexes } from './catalogChange.js';
import { nameKeys } from './nameKeys.js';
import { byId, type IndexSpec } from './projection.js';

export interface ServiceView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  name: string;
  scope: string;
  durationMinutes: number | null;
  archived: boolean;
  /** Events in the service's stream: the ETag, and what If-Match names. */
  version: number;
  createdAt: string;
  updatedAt: string;
  nameSearch: string;
  nameSort: string;
}

const change = catalogChange<ServiceView>('serviceId');

/** The lists, and the same within one scope (GET …/services?scope=sessions). */
const serviceIndexes: readonly IndexSpec[] = [
  ...catalogIndexes,
  { name: 'by_scope_name', fields: ['scope', 'nameSort'] },
  { name: 'by_scope_archived_name', fields: ['scope', 'archived', 'nameSort'] },
];

export const serviceView = defineProjection<ServiceView>({
  name: 'services',
  collection: 'services',
  indexes: serviceIndexes,
  on: {
    ServiceDefined: {
      documents: (e) => byId(e.data.workspaceId, e.data.serviceId),
      evolve: (_current, e) => ({
        id: e.data.serviceId,
        workspaceId: e.data.workspaceId,
        name: e.data.name,
        scope: e.data.scope,
        durationMinutes: e.data.durationMinutes,
        archived: false,
        version: Number(e.revision) + 1,
        createdAt: e.metadata.occurredAt,
        updatedAt: e.metadata.occurredAt,
        ...nameKeys(e.data.name),
      }),
    },
    ServiceRenamed: change((_s, e) => ({ name: e.data.to, ...nameKeys(e.data.to) })),
    ServiceDurationChanged: change((_s, e) => ({ durationMinutes: e.data.to })),
    ServiceArchived: change(() => ({ archived: true })),
    ServiceUnarchived: change(() => ({ archived: false })),
  },
});

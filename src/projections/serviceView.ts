import type { RecordedEvent } from '../events/index.js';
import { byId, type Projection } from './projection.js';

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

export const serviceView: Projection<ServiceView> = {
  name: 'services',
  collection: 'services',
  handles: ['ServiceDefined'],
  documents: (event) => {
    const e = event as RecordedEvent;
    if (e.type !== 'ServiceDefined') throw new Error(`services projection cannot place ${e.type}`);
    return byId(e.data.workspaceId, e.data.serviceId);
  },
  evolve: (current, event) => {
    const e = event as RecordedEvent;
    switch (e.type) {
      case 'ServiceDefined':
        return {
          id: e.data.serviceId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          scope: e.data.scope,
          durationMinutes: e.data.durationMinutes,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        };
      default:
        return current;
    }
  },
};

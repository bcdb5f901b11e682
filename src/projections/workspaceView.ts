import type { RecordedEvent } from '../events/index.js';
import { byId, type Projection } from './projection.js';

export interface WorkspaceView {
  [key: string]: unknown;
  id: string;
  /** Equal to `id`: a workspace is the workspace it belongs to, which keeps every collection keyed alike. */
  workspaceId: string;
  name: string;
  timeZone: string;
  createdAt: string;
  updatedAt: string;
}

export const workspaceView: Projection<WorkspaceView> = {
  name: 'workspaces',
  collection: 'workspaces',
  handles: ['WorkspaceCreated'],
  documents: (event) => {
    const e = event as RecordedEvent;
    if (e.type !== 'WorkspaceCreated') throw new Error(`workspaces projection cannot place ${e.type}`);
    return byId(e.data.workspaceId, e.data.workspaceId);
  },
  evolve: (current, event) => {
    const e = event as RecordedEvent;
    switch (e.type) {
      case 'WorkspaceCreated':
        return {
          id: e.data.workspaceId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          timeZone: e.data.timeZone,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        };
      default:
        return current;
    }
  },
};

/** The public shape: a workspace has no `workspaceId` of its own. */
export const publicWorkspace = ({ workspaceId: _omit, ...rest }: WorkspaceView): Omit<WorkspaceView, 'workspaceId'> =>
  rest;

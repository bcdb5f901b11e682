import { defineProjection } from './defineProjection.js';
import { byId } from './projection.js';

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

export const workspaceView = defineProjection<WorkspaceView>({
  name: 'workspaces',
  collection: 'workspaces',
  on: {
    WorkspaceCreated: {
      documents: (e) => byId(e.data.workspaceId, e.data.workspaceId),
      evolve: (_current, e) => ({
          id: e.data.workspaceId,
          workspaceId: e.data.workspaceId,
          name: e.data.name,
          timeZone: e.data.timeZone,
          createdAt: e.metadata.occurredAt,
          updatedAt: e.metadata.occurredAt,
        }),
    },
  },
});

/** The public shape: a workspace has no `workspaceId` of its own. */
export const publicWorkspace = ({ workspaceId: _omit, ...rest }: WorkspaceView): Omit<WorkspaceView, 'workspaceId'> =>
  rest;

import { defineProjection } from './defineProjection.js';
import { catalogChange } from './catalogChange.js';
import { byId } from './projection.js';

export interface WorkspaceView {
  [key: string]: unknown;
  id: string;
  /** Equal to `id`: a workspace is the workspace it belongs to, which keeps every collection keyed alike. */
  workspaceId: string;
  name: string;
  /** The zone new bookings and reschedules use; sessions keep the zone they were scheduled in. */
  timeZone: string;
  /** Events in the workspace's stream: the ETag, and what If-Match names. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

const change = catalogChange<WorkspaceView>('workspaceId');

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
        version: Number(e.revision) + 1,
        createdAt: e.metadata.occurredAt,
        updatedAt: e.metadata.occurredAt,
      }),
    },
    WorkspaceRenamed: change((_w, e) => ({ name: e.data.to })),
    WorkspaceTimeZoneChanged: change((_w, e) => ({ timeZone: e.data.to })),
  },
});

/** The public shape: a workspace has no `workspaceId` of its own. */
export const publicWorkspace = (workspace: WorkspaceView): Omit<WorkspaceView, 'workspaceId'> => {
  const rest: Record<string, unknown> = {};
  for (const key of Object.keys(workspace)) if (key !== 'workspaceId') rest[key] = workspace[key];
  return rest;
};

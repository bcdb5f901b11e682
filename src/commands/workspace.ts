/** The workspace aggregate: created once, then renamed or moved to another time zone (never archived). */
import { workspaceStream } from '../events/streams.js';
import type { WorkspaceEvent } from '../events/workspace.js';
import { catalogChange, catalogCreate, createdFields, entryDecider, type EntryCommand } from './catalogCommand.js';
import { decideChangeWorkspace, type WorkspaceFields, type WorkspacePatch } from './changeWorkspace.js';
import { decideCreateWorkspace, type CreateWorkspace, type CreateWorkspaceInput } from './createWorkspace.js';

export type WorkspaceCommand = EntryCommand<CreateWorkspace, WorkspacePatch>;

export const workspaceDecider = entryDecider<CreateWorkspace, WorkspacePatch, WorkspaceFields, WorkspaceEvent>({
  kind: 'workspace',
  label: 'Workspace',
  decideCreate: (command) => decideCreateWorkspace(command),
  decideChange: decideChangeWorkspace,
  archives: () => undefined,
  evolveFields: (fields, event) => {
    switch (event.type) {
      case 'WorkspaceCreated':
        return { workspaceId: event.data.workspaceId, name: event.data.name, timeZone: event.data.timeZone };
      case 'WorkspaceRenamed':
        return { ...createdFields(fields, event), name: event.data.to };
      case 'WorkspaceTimeZoneChanged':
        return { ...createdFields(fields, event), timeZone: event.data.to };
      default: {
        const unhandled: never = event;
        throw new Error(`unhandled workspace event ${(unhandled as WorkspaceEvent).type}`);
      }
    }
  },
});

const workspace = { kind: 'workspace', label: 'Workspace', stream: workspaceStream, decider: workspaceDecider as never };

export const createWorkspaceSpec = (input: CreateWorkspaceInput) =>
  catalogCreate<WorkspaceCommand, WorkspaceEvent, WorkspaceFields>(workspace, null, null, (workspaceId, metadata) => ({
    type: 'CreateWorkspace',
    data: { ...input, workspaceId },
    metadata,
  }));

export const changeWorkspaceSpec = (workspaceId: string, patch: WorkspacePatch) =>
  catalogChange<WorkspaceCommand, WorkspaceEvent, WorkspaceFields>(workspace, workspaceId, workspaceId, (id, metadata) => ({
    type: 'ChangeCatalogEntry',
    data: { id, workspaceId, patch },
    metadata,
  }));

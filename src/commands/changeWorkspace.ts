import * as yup from 'yup';
import {
  workspaceRenamedVersion,
  workspaceTimeZoneChangedVersion,
  type WorkspaceRenamed,
  type WorkspaceTimeZoneChanged,
} from '../events/workspace.js';
import { changeOf, type ChangeEntry } from './catalogCommand.js';
import { acceptedTimeZone, timeZoneField } from './createWorkspace.js';
import { nameField, normalizeName, validate } from './validation.js';

const schema = yup.object({ name: nameField().optional(), timeZone: timeZoneField() });

export interface WorkspacePatch {
  name?: string;
  timeZone?: string;
}

export const parseChangeWorkspace = (body: unknown): WorkspacePatch => {
  const valid = validate(schema, body, ['name', 'timeZone']);
  return {
    ...(valid.name !== undefined ? { name: normalizeName(valid.name) } : {}),
    ...(valid.timeZone !== undefined ? { timeZone: acceptedTimeZone(valid.timeZone) } : {}),
  };
};

export interface WorkspaceFields {
  workspaceId: string;
  name: string;
  timeZone: string;
}

export type ChangeWorkspace = ChangeEntry<WorkspacePatch>;

/**
 * A new zone applies to bookings and reschedules from now on: sessions keep the instants (and the
 * zone) they were scheduled with, so nothing else changes.
 */
export const decideChangeWorkspace = (
  command: ChangeWorkspace,
  workspace: WorkspaceFields,
): (WorkspaceRenamed | WorkspaceTimeZoneChanged)[] => {
  const { workspaceId, patch } = command.data;
  const name = changeOf(patch, 'name', workspace.name);
  const timeZone = changeOf(patch, 'timeZone', workspace.timeZone);
  return [
    ...(name
      ? [
          {
            type: 'WorkspaceRenamed' as const,
            data: { workspaceId, ...name },
            metadata: { ...command.metadata, schemaVersion: workspaceRenamedVersion },
          },
        ]
      : []),
    ...(timeZone
      ? [
          {
            type: 'WorkspaceTimeZoneChanged' as const,
            data: { workspaceId, ...timeZone },
            metadata: { ...command.metadata, schemaVersion: workspaceTimeZoneChangedVersion },
          },
        ]
      : []),
  ];
};

import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import { staffMemberAddedVersion, type StaffMemberAdded } from '../events/staff.js';
import type { CatalogState } from './catalogState.js';
import { requireWorkspace } from './requireWorkspace.js';
import { emailField, emailLimit, nameField, nameLimit, normalizeName, validate } from './validation.js';

const schema = yup.object({ name: nameField(), email: emailField() });

export interface AddStaffMemberInput {
  name: string;
  email: string | null;
}

export const parseAddStaffMember = (body: unknown): AddStaffMemberInput => {
  const valid = validate(schema, body, ['name', 'email'], { name: nameLimit, email: emailLimit });
  return { name: normalizeName(valid.name), email: valid.email ?? null };
};

export interface AddStaffMember {
  type: 'AddStaffMember';
  data: AddStaffMemberInput & { staffId: string; workspaceId: string };
  metadata: EventMetadata;
}

export const decideAddStaffMember = (command: AddStaffMember, state: CatalogState): StaffMemberAdded[] => {
  requireWorkspace(state, command.data.workspaceId);
  const { staffId, workspaceId, name, email } = command.data;
  return [
    {
      type: 'StaffMemberAdded',
      data: { staffId, workspaceId, name, email },
      metadata: { ...command.metadata, schemaVersion: staffMemberAddedVersion },
    },
  ];
};

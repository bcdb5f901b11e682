import * as yup from 'yup';
import {
  staffMemberContactChangedVersion,
  staffMemberRenamedVersion,
  type StaffMemberContactChanged,
  type StaffMemberRenamed,
} from '../events/staff.js';
import { changeOf, type ChangeEntry } from './catalogCommand.js';
import { emailField, nameField, normalizeName, validate } from './validation.js';

const schema = yup.object({ name: nameField().optional(), email: emailField() });

/** A field is present only when the patch names it; null clears the email. */
export interface StaffPatch {
  name?: string;
  email?: string | null;
}

export const parseChangeStaffMember = (body: unknown): StaffPatch => {
  const valid = validate(schema, body, ['name', 'email']);
  const has = (key: string) => Object.prototype.hasOwnProperty.call(body, key);
  return {
    ...(valid.name !== undefined ? { name: normalizeName(valid.name) } : {}),
    ...(has('email') ? { email: valid.email ?? null } : {}),
  };
};

export interface StaffFields {
  workspaceId: string;
  name: string;
  email: string | null;
}

export type ChangeStaffMember = ChangeEntry<StaffPatch>;

export const decideChangeStaffMember = (
  command: ChangeStaffMember,
  staff: StaffFields,
): (StaffMemberRenamed | StaffMemberContactChanged)[] => {
  const { id: staffId, workspaceId, patch } = command.data;
  const name = changeOf(patch, 'name', staff.name);
  const email = changeOf(patch, 'email', staff.email);
  return [
    ...(name
      ? [
          {
            type: 'StaffMemberRenamed' as const,
            data: { staffId, workspaceId, ...name },
            metadata: { ...command.metadata, schemaVersion: staffMemberRenamedVersion },
          },
        ]
      : []),
    ...(email
      ? [
          {
            type: 'StaffMemberContactChanged' as const,
            data: { staffId, workspaceId, email },
            metadata: { ...command.metadata, schemaVersion: staffMemberContactChangedVersion },
          },
        ]
      : []),
  ];
};

import * as yup from 'yup';
import type { ClientContactChanged, ClientRenamed } from '../events/client.js';
import { clientContactChangedVersion, clientRenamedVersion } from '../events/client.js';
import { changeOf, type ChangeEntry } from './catalogCommand.js';
import { phoneField } from './registerClient.js';
import { emailField, nameField, normalizeName, validate } from './validation.js';

const fields = ['name', 'email', 'phone'] as const;
const schema = yup.object({ name: nameField().optional(), email: emailField(), phone: phoneField() });

/** A field is present only when the patch names it; null clears email or phone. */
export interface ClientPatch {
  name?: string;
  email?: string | null;
  phone?: string | null;
}

export const parseChangeClient = (body: unknown): ClientPatch => {
  const valid = validate(schema, body, fields);
  const has = (key: string) => Object.prototype.hasOwnProperty.call(body, key);
  return {
    ...(valid.name !== undefined ? { name: normalizeName(valid.name) } : {}),
    ...(has('email') ? { email: valid.email ?? null } : {}),
    ...(has('phone') ? { phone: valid.phone ?? null } : {}),
  };
};

export interface ClientFields {
  workspaceId: string;
  name: string;
  email: string | null;
  phone: string | null;
}

export type ChangeClient = ChangeEntry<ClientPatch>;

/** A rename and a contact change are separate events: a rename reaches every session, a contact change none. */
export const decideChangeClient = (command: ChangeClient, client: ClientFields): (ClientRenamed | ClientContactChanged)[] => {
  const { id: clientId, workspaceId, patch } = command.data;
  const name = changeOf(patch, 'name', client.name);
  const email = changeOf(patch, 'email', client.email);
  const phone = changeOf(patch, 'phone', client.phone);
  return [
    ...(name
      ? [
          {
            type: 'ClientRenamed' as const,
            data: { clientId, workspaceId, ...name },
            metadata: { ...command.metadata, schemaVersion: clientRenamedVersion },
          },
        ]
      : []),
    ...(email || phone
      ? [
          {
            type: 'ClientContactChanged' as const,
            data: { clientId, workspaceId, ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
            metadata: { ...command.metadata, schemaVersion: clientContactChangedVersion },
          },
        ]
      : []),
  ];
};

import * as yup from 'yup';
import { clientRegisteredVersion, type ClientRegistered } from '../events/client.js';
import type { EventMetadata } from '../events/envelope.js';
import type { CatalogState } from './catalogState.js';
import { requireWorkspace } from './requireWorkspace.js';
import { emailField, emailLimit, nameField, nameLimit, normalizeName, validate } from './validation.js';

const phoneMessage = 'must be a phone number: digits, spaces and + ( ) . / - (3 to 40 characters)';

export const phoneField = () =>
  yup
    .string()
    .nullable()
    .matches(/^\+?[0-9 ()./-]{3,40}$/, 'must be a phone number: digits, spaces and + ( ) . / - (3 to 40 characters)');

const schema = yup.object({ name: nameField(), email: emailField(), phone: phoneField() });

export interface RegisterClientInput {
  name: string;
  email: string | null;
  phone: string | null;
}

export const parseRegisterClient = (body: unknown): RegisterClientInput => {
  const valid = validate(schema, body, ['name', 'email', 'phone'], {
    name: nameLimit,
    email: emailLimit,
    phone: { maxLength: 41, message: phoneMessage },
  });
  return { name: normalizeName(valid.name), email: valid.email ?? null, phone: valid.phone ?? null };
};

export interface RegisterClient {
  type: 'RegisterClient';
  data: RegisterClientInput & { clientId: string; workspaceId: string };
  metadata: EventMetadata;
}

export const decideRegisterClient = (command: RegisterClient, state: CatalogState): ClientRegistered[] => {
  requireWorkspace(state, command.data.workspaceId);
  const { clientId, workspaceId, name, email, phone } = command.data;
  return [
    {
      type: 'ClientRegistered',
      data: { clientId, workspaceId, name, email, phone },
      metadata: { ...command.metadata, schemaVersion: clientRegisteredVersion },
    },
  ];
};

import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import { serviceDefinedVersion, type ServiceDefined } from '../events/service.js';
import type { CatalogState } from './catalogState.js';
import { requireWorkspace } from './requireWorkspace.js';
import { nameField, nameLimit, normalizeName, trimmedLength, validate } from './validation.js';

const scopeMessage = 'must be a non-empty string of at most 50 characters, such as "sessions" or "products"';

export const serviceDurationField = () =>
  yup.number().nullable().integer('must be a whole number of minutes').min(0, 'must be at least 0').max(1440, 'must be at most 1440');

const schema = yup.object({
  name: nameField(),
  scope: yup
    .string()
    .required('is required')
    .test(
      'scope',
      'must be a non-empty string of at most 50 characters, such as "sessions" or "products"',
      // After `required`: an absent scope fails that rule and never reaches this one.
      (v) => trimmedLength(v) >= 1 && trimmedLength(v) <= 50,
    ),
  durationMinutes: serviceDurationField(),
});

export interface DefineServiceInput {
  name: string;
  scope: string;
  durationMinutes: number | null;
}

export const parseDefineService = (body: unknown): DefineServiceInput => {
  const valid = validate(schema, body, ['name', 'scope', 'durationMinutes'], {
    name: nameLimit,
    scope: { maxLength: 500, message: scopeMessage },
  });
  return { name: normalizeName(valid.name), scope: valid.scope.trim(), durationMinutes: valid.durationMinutes ?? null };
};

export interface DefineService {
  type: 'DefineService';
  data: DefineServiceInput & { serviceId: string; workspaceId: string };
  metadata: EventMetadata;
}

export const decideDefineService = (command: DefineService, state: CatalogState): ServiceDefined[] => {
  requireWorkspace(state, command.data.workspaceId);
  const { serviceId, workspaceId, name, scope, durationMinutes } = command.data;
  return [
    {
      type: 'ServiceDefined',
      data: { serviceId, workspaceId, name, scope, durationMinutes },
      metadata: { ...command.metadata, schemaVersion: serviceDefinedVersion },
    },
  ];
};

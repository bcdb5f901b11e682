import * as yup from 'yup';
import {
  serviceDurationChangedVersion,
  serviceRenamedVersion,
  type ServiceDurationChanged,
  type ServiceRenamed,
} from '../events/service.js';
import { ValidationError, type FieldError } from '../errors.js';
import { changeOf, type ChangeEntry } from './catalogCommand.js';
import { serviceDurationField } from './defineService.js';
import { nameField, normalizeName, validate } from './validation.js';

const schema = yup.object({ name: nameField().optional(), durationMinutes: serviceDurationField() });

/** A field is present only when the patch names it; null durationMinutes: no duration of its own. */
export interface ServicePatch {
  name?: string;
  durationMinutes?: number | null;
}

export const parseChangeService = (body: unknown): ServicePatch => {
  const has = (key: string) => typeof body === 'object' && body !== null && Object.prototype.hasOwnProperty.call(body, key);
  // A service's scope says what it is (a session service, a product); changing it would change
  // the meaning of every session that booked it, so it is fixed once defined.
  const errors: FieldError[] = has('scope') ? [{ path: 'scope', message: 'is fixed once the service is defined' }] : [];
  let valid: yup.InferType<typeof schema> = {};
  try {
    valid = validate(schema, body, ['name', 'durationMinutes', 'scope']);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    errors.push(...(error.errors ?? []));
  }
  if (errors.length > 0)
    throw new ValidationError(`The request has invalid fields: ${errors.map((e) => e.path || '(body)').join(', ')}.`, errors);
  return {
    ...(valid.name !== undefined ? { name: normalizeName(valid.name) } : {}),
    ...(has('durationMinutes') ? { durationMinutes: valid.durationMinutes ?? null } : {}),
  };
};

export interface ServiceFields {
  workspaceId: string;
  name: string;
  scope: string;
  durationMinutes: number | null;
}

export type ChangeService = ChangeEntry<ServicePatch>;

/** A rename reaches every session that shows the service; a new duration only sessions booked from now on. */
export const decideChangeService = (command: ChangeService, service: ServiceFields): (ServiceRenamed | ServiceDurationChanged)[] => {
  const { id: serviceId, workspaceId, patch } = command.data;
  const name = changeOf(patch, 'name', service.name);
  const duration = changeOf(patch, 'durationMinutes', service.durationMinutes);
  return [
    ...(name
      ? [
          {
            type: 'ServiceRenamed' as const,
            data: { serviceId, workspaceId, ...name },
            metadata: { ...command.metadata, schemaVersion: serviceRenamedVersion },
          },
        ]
      : []),
    ...(duration
      ? [
          {
            type: 'ServiceDurationChanged' as const,
            data: { serviceId, workspaceId, ...duration },
            metadata: { ...command.metadata, schemaVersion: serviceDurationChangedVersion },
          },
        ]
      : []),
  ];
};

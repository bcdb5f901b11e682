/**
 * CreateSession: the request schema (400 rules), the command, and the pure decision
 * (404 and 422 rules, duration, date and end time) that yields SessionCreated.
 */
import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import { sessionStatuses, sessionCreatedVersion, type SessionCreated, type SessionRequest, type SessionStatus } from '../events/session.js';
import { BusinessRuleError, NotFoundError, type FieldError } from '../errors.js';
import { addMinutes, parseIsoDateTime, timeOfDay, utcMidnight } from './calendar.js';
import type { CatalogState } from './catalogState.js';
import { requireWorkspace } from './requireWorkspace.js';
import { nameField, objectIdMessage, objectIdPattern, validate } from './validation.js';

export const maxDurationMinutes = 1440;
export const defaultDurationMinutes = 60;

const objectId = () => yup.string().matches(objectIdPattern, objectIdMessage);

const fieldValueSchema = yup
  .object({
    fieldKey: yup
      .string()
      .required('is required')
      .matches(/^[A-Za-z0-9_-]{1,100}$/, 'must be 1 to 100 letters, digits, "-" or "_"'),
    value: yup
      .mixed<string | number | boolean>()
      .nullable()
      .defined('is required (null is allowed)')
      .test('field-value', 'must be a string (at most 10000 characters), a finite number, a boolean or null', (v) =>
        v === null ||
        typeof v === 'boolean' ||
        (typeof v === 'number' && Number.isFinite(v)) ||
        (typeof v === 'string' && v.length <= 10_000),
      ),
    phase: yup.string().min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
  })
  .noUnknown(true, ({ unknown }) => `has properties that are not allowed: ${String(unknown)}`);

export const createSessionFields = [
  'name',
  'clientId',
  'serviceIds',
  'staffId',
  'date',
  'startTime',
  'durationMinutes',
  'status',
  'fieldValues',
] as const;

const createSessionSchema = yup.object({
  name: nameField(),
  clientId: objectId().required('is required'),
  serviceIds: yup
    .array(objectId().defined('must be an id'))
    .required('is required')
    .min(1, 'must list at least one service')
    .max(50, 'must list at most 50 services')
    .test('unique', 'must not list a service twice', (ids) => ids === undefined || new Set(ids).size === ids.length),
  staffId: objectId().nullable(),
  date: yup
    .string()
    .required('is required')
    .test('iso-date', 'must be an ISO 8601 date or datetime naming a real calendar day', (v) => v === undefined || parseIsoDateTime(v) !== null),
  startTime: yup.string().required('is required').matches(timeOfDay, 'must be a 24-hour time HH:mm'),
  durationMinutes: yup
    .number()
    .integer('must be a whole number of minutes')
    .min(1, 'must be at least 1')
    .max(maxDurationMinutes, `must be at most ${maxDurationMinutes}`),
  status: yup.string().oneOf([...sessionStatuses], `must be one of ${sessionStatuses.join(', ')}`),
  fieldValues: yup
    .array(fieldValueSchema)
    .max(100, 'must have at most 100 entries')
    .test('unique-keys', 'must not repeat a fieldKey', (values) => {
      if (!values) return true;
      const keys = values.map((v) => v?.fieldKey);
      return new Set(keys).size === keys.length;
    }),
});

export type CreateSessionInput = SessionRequest;

/** Validates a request body (all failures at once) and normalizes it: trimmed name, defaults applied. */
export const parseCreateSession = (body: unknown): CreateSessionInput => {
  const valid = validate(createSessionSchema, body, createSessionFields);
  return {
    name: valid.name.trim(),
    clientId: valid.clientId,
    serviceIds: [...valid.serviceIds],
    staffId: valid.staffId ?? null,
    date: valid.date,
    startTime: valid.startTime,
    durationMinutes: valid.durationMinutes ?? null,
    status: (valid.status ?? 'scheduled') as SessionStatus,
    fieldValues: (valid.fieldValues ?? []).map((f) => ({
      fieldKey: f.fieldKey,
      value: f.value ?? null,
      phase: f.phase ?? 'pre',
    })),
  };
};

export interface CreateSession {
  type: 'CreateSession';
  data: CreateSessionInput & { sessionId: string; workspaceId: string };
  /** Event metadata decided outside the decider (ids, time, actor), so the decision stays pure. */
  metadata: EventMetadata;
}

/** Decides a session creation against the catalog. Throws NotFoundError (404) or BusinessRuleError (422). */
export const decideCreateSession = (command: CreateSession, state: CatalogState): SessionCreated[] => {
  const { data } = command;
  const inWorkspace = <T extends { workspaceId: string }>(entry: T | undefined): T | undefined =>
    entry && entry.workspaceId === data.workspaceId ? entry : undefined;

  requireWorkspace(state, data.workspaceId);
  const client = inWorkspace(state.clients.get(data.clientId));
  const services = data.serviceIds.map((id) => inWorkspace(state.services.get(id)));
  const staff = data.staffId === null ? null : inWorkspace(state.staff.get(data.staffId));

  const missing: FieldError[] = [];
  if (!client) missing.push({ path: 'clientId', message: `client ${data.clientId} not found in this workspace` });
  services.forEach((service, i) => {
    if (!service) missing.push({ path: `serviceIds[${i}]`, message: `service ${data.serviceIds[i]} not found in this workspace` });
  });
  if (data.staffId !== null && !staff) {
    missing.push({ path: 'staffId', message: `staff member ${data.staffId} not found in this workspace` });
  }
  if (missing.length > 0 || !client) {
    throw new NotFoundError(`Not found in this workspace: ${missing.map((m) => m.message.split(' not found')[0]).join(', ')}.`, missing);
  }
  const found = services.filter((s): s is NonNullable<typeof s> => s !== undefined);

  const broken: FieldError[] = [];
  found.forEach((service, i) => {
    if (service.scope !== 'sessions') {
      broken.push({
        path: `serviceIds[${i}]`,
        message: `service ${service.id} has scope "${service.scope}"; only "sessions" services can be booked`,
      });
    }
  });
  data.fieldValues.forEach((field, i) => {
    if (field.phase === 'post') {
      broken.push({ path: `fieldValues[${i}].phase`, message: 'post-session values cannot be set when a session is created' });
    }
  });

  const summed = found.map((s) => s.durationMinutes ?? 0);
  const total = summed.reduce((a, b) => a + b, 0);
  const [durationMinutes, durationSource] =
    data.durationMinutes !== null
      ? [data.durationMinutes, 'request' as const]
      : total > 0
        ? [total, 'services' as const]
        : [defaultDurationMinutes, 'default' as const];
  if (durationMinutes > maxDurationMinutes) {
    broken.push({
      path: 'durationMinutes',
      message: `the services add up to ${durationMinutes} minutes; a session lasts at most ${maxDurationMinutes}`,
    });
  }
  if (broken.length > 0) {
    throw new BusinessRuleError(`The session breaks ${broken.length === 1 ? 'a rule' : 'rules'}: ${broken.map((b) => b.message).join('; ')}.`, broken);
  }

  const instant = parseIsoDateTime(data.date);
  if (!instant) throw new Error('date was not validated before deciding');
  return [
    {
      type: 'SessionCreated',
      data: {
        sessionId: data.sessionId,
        workspaceId: data.workspaceId,
        requested: {
          name: data.name,
          clientId: data.clientId,
          serviceIds: data.serviceIds,
          staffId: data.staffId,
          date: data.date,
          startTime: data.startTime,
          durationMinutes: data.durationMinutes,
          status: data.status,
          fieldValues: data.fieldValues,
        } satisfies SessionRequest,
        client: { id: client.id, name: client.name },
        services: found.map((s) => ({ id: s.id, name: s.name, durationMinutes: s.durationMinutes })),
        staff: staff ? { id: staff.id, name: staff.name } : null,
        date: utcMidnight(instant),
        startTime: data.startTime,
        endTime: addMinutes(data.startTime, durationMinutes),
        durationMinutes,
        durationSource,
        summedServiceDurations: durationSource === 'request' ? [] : summed,
        status: data.status,
        fieldValues: data.fieldValues,
      },
      metadata: { ...command.metadata, schemaVersion: sessionCreatedVersion },
    },
  ];
};

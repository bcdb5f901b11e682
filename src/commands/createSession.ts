/**
 * CreateSession: the request schema (400 rules), the command, and the pure decision
 * (404 and 422 rules, duration, date and end time) that yields SessionCreated.
 */
import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import {
  sessionStatuses,
  sessionCreatedVersion,
  type SessionCreated,
  type SessionOverlapRequest,
  type SessionRequest,
} from '../events/session.js';
import type { FieldError } from '../errors.js';
import { parseIsoDateTime, timeOfDay } from './calendar.js';
import type { CatalogState } from './catalogState.js';
import { requireWorkspace } from './requireWorkspace.js';
import { disambiguations, localDayOf } from './schedule.js';
import {
  deriveDuration,
  findNamedEntries,
  maxDurationMinutes,
  scheduleOrProblem,
  throwIfBroken,
  unbookableServices,
} from './sessionRules.js';
import {
  freeTextField,
  nameField,
  nameLimit,
  normalizeName,
  objectIdMessage,
  objectIdPattern,
  validate,
  type FieldLimits,
} from './validation.js';

export { defaultDurationMinutes, maxDurationMinutes } from './sessionRules.js';

const objectId = () => yup.string().matches(objectIdPattern, objectIdMessage);

const fieldKeyMessage = 'must be 1 to 100 letters, digits, "-" or "_"';
const fieldValueMessage = 'must be a string (at most 10000 characters), a finite number, a boolean or null';
const dateMessage = 'must be an ISO 8601 date or datetime naming a real calendar day';
const serviceIdsMaxMessage = 'must list at most 50 services';
const fieldValuesMaxMessage = 'must have at most 100 entries';

const fieldValueSchema = yup
  .object({
    fieldKey: yup
      .string()
      .required('is required')
      .matches(/^[A-Za-z0-9_-]{1,100}$/, fieldKeyMessage),
    value: yup
      .mixed<string | number | boolean>()
      .nullable()
      .defined('is required (null is allowed)')
      .test(
        'field-value',
        fieldValueMessage,
        (v) =>
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
  'disambiguation',
  'allowOverlap',
  'overlapReason',
] as const;

/**
 * The rules of each field a session has, shared by create (these) and PATCH (the same, all
 * optional: there an absent field reaches its tests as undefined).
 */
export const sessionFieldSchemas = {
  name: nameField(),
  clientId: objectId().required('is required'),
  serviceIds: yup
    .array(objectId().defined('must be an id'))
    .required('is required')
    .min(1, 'must list at least one service')
    .max(50, serviceIdsMaxMessage)
    .test(
      'unique',
      'must not list a service twice',
      (ids: readonly unknown[] | undefined) => ids === undefined || new Set(ids).size === ids.length,
    ),
  staffId: objectId().nullable(),
  date: yup
    .string()
    .required('is required')
    .test('iso-date', dateMessage, (v: string | undefined) => v === undefined || parseIsoDateTime(v) !== null),
  startTime: yup.string().required('is required').matches(timeOfDay, 'must be a 24-hour time HH:mm'),
  durationMinutes: yup
    .number()
    .integer('must be a whole number of minutes')
    .min(1, 'must be at least 1')
    .max(maxDurationMinutes, `must be at most ${maxDurationMinutes}`),
  status: yup.string().oneOf([...sessionStatuses], `must be one of ${sessionStatuses.join(', ')}`),
  disambiguation: yup.string().oneOf([...disambiguations], `must be one of ${disambiguations.join(', ')}`),
  fieldValues: yup
    .array(fieldValueSchema)
    .max(100, fieldValuesMaxMessage)
    // yup checks the array before its elements, so an element here may be anything (null included).
    .test('unique-keys', 'must not repeat a fieldKey', (values: readonly unknown[] | undefined) => {
      if (!values) return true;
      const keys = values.map((v) => (typeof v === 'object' && v !== null && 'fieldKey' in v ? v.fieldKey : undefined));
      return new Set(keys).size === keys.length;
    }),
};

/** Overbooking on purpose: `allowOverlap: true` with a reason (the permission is the route's to check). */
export const overlapSchemas = {
  allowOverlap: yup.boolean().oneOf([true], 'must be true when given (omit it otherwise)'),
  overlapReason: freeTextField(500).when('allowOverlap', {
    is: true,
    then: (reason) =>
      reason
        .required('is required when allowOverlap is true')
        // After `required`: a missing reason fails that rule and never reaches this one.
        .test('not-blank', 'is required when allowOverlap is true', (v) => v.trim() !== ''),
    otherwise: (reason) => reason.test('only-with-overlap', 'is only allowed with allowOverlap: true', (v) => v === undefined),
  }),
};

const createSessionSchema = yup.object({ ...sessionFieldSchemas, ...overlapSchemas });

/** `allowOverlap: true` and its reason, trimmed, when a body validated by overlapSchemas asks for it; else nothing. */
export const overlapOf = (valid: { allowOverlap?: boolean; overlapReason?: string }): SessionOverlapRequest => {
  if (!valid.allowOverlap) return {};
  // overlapSchemas' `when` rule requires the reason with allowOverlap: true.
  if (valid.overlapReason === undefined) throw new Error('allowOverlap: true passed overlapSchemas without an overlapReason');
  return { allowOverlap: true, overlapReason: valid.overlapReason.trim() };
};

/**
 * Checked before the schema (create and PATCH alike), so an oversized array or string costs no
 * per-element work.
 */
export const sessionFieldLimits: FieldLimits = {
  name: nameLimit,
  clientId: { maxLength: 24, message: objectIdMessage },
  staffId: { maxLength: 24, message: objectIdMessage },
  serviceIds: { maxItems: 50, message: serviceIdsMaxMessage },
  date: { maxLength: 64, message: dateMessage },
  startTime: { maxLength: 5, message: 'must be a 24-hour time HH:mm' },
  status: { maxLength: 50, message: `must be one of ${sessionStatuses.join(', ')}` },
  disambiguation: { maxLength: 50, message: `must be one of ${disambiguations.join(', ')}` },
  fieldValues: {
    maxItems: 100,
    message: fieldValuesMaxMessage,
    items: {
      fieldKey: { maxLength: 100, message: fieldKeyMessage },
      value: { maxLength: 10_000, message: fieldValueMessage },
      phase: { maxLength: 50, message: 'must be at most 50 characters' },
    },
  },
  overlapReason: { maxLength: 2000, message: 'must be at most 500 characters' },
};

export type CreateSessionInput = SessionRequest;

/** Validates a request body (all failures at once) and normalizes it: trimmed name, defaults applied. */
export const parseCreateSession = (body: unknown): CreateSessionInput => {
  const valid = validate(createSessionSchema, body, createSessionFields, sessionFieldLimits);
  return {
    name: normalizeName(valid.name),
    clientId: valid.clientId,
    serviceIds: [...valid.serviceIds],
    staffId: valid.staffId ?? null,
    date: valid.date,
    startTime: valid.startTime,
    durationMinutes: valid.durationMinutes ?? null,
    status: valid.status ?? 'scheduled',
    fieldValues: (valid.fieldValues ?? []).map((f) => ({
      fieldKey: f.fieldKey,
      value: f.value ?? null,
      phase: f.phase ?? 'pre',
    })),
    ...(valid.disambiguation === undefined ? {} : { disambiguation: valid.disambiguation }),
    ...overlapOf(valid),
  };
};

export interface CreateSession {
  type: 'CreateSession';
  data: CreateSessionInput & { sessionId: string; workspaceId: string };
  /** Event metadata decided outside the decider (ids, time, actor), so the decision stays pure. */
  metadata: EventMetadata;
}

/** Decides a session creation against the catalog. Throws NotFoundError (404) or BusinessRuleError (422). */
export const decideCreateSession = (command: CreateSession, catalog: CatalogState): SessionCreated[] => {
  const { data } = command;
  const { timeZone } = requireWorkspace(catalog, data.workspaceId);
  const named = findNamedEntries(catalog, data.workspaceId, {
    clientId: data.clientId,
    serviceIds: data.serviceIds,
    staffId: data.staffId,
  });
  // findNamedEntries answers with every entry it was asked for (or throws the 404).
  const { client, services } = named;
  if (client === undefined || services === undefined) throw new Error('findNamedEntries left out the client or services a create names');

  const broken: FieldError[] = [...unbookableServices(services, named.scopes)];
  data.fieldValues.forEach((field, i) => {
    if (field.phase === 'post') {
      broken.push({ path: `fieldValues[${i}].phase`, message: 'post-session values cannot be set when a session is created' });
    }
  });
  const duration = deriveDuration(data.durationMinutes, services);
  if (duration.problem) broken.push(duration.problem);
  const scheduled = scheduleOrProblem({
    localDay: localDayOf(data.date, timeZone),
    startTime: data.startTime,
    durationMinutes: duration.durationMinutes,
    timeZone,
    disambiguation: data.disambiguation ?? null,
  });
  if ('problems' in scheduled && !duration.problem) broken.push(...scheduled.problems);
  throwIfBroken(broken);
  if (!('schedule' in scheduled)) throw new Error('unreachable: a schedule problem was not reported');
  const { schedule } = scheduled;
  const overlap: SessionOverlapRequest = data.allowOverlap ? { allowOverlap: true, overlapReason: data.overlapReason } : {};

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
          ...(data.disambiguation ? { disambiguation: data.disambiguation } : {}),
          ...overlap,
        } satisfies SessionRequest,
        client,
        services,
        staff: named.staff ?? null,
        timeZone,
        date: schedule.date,
        startTime: schedule.startTime,
        endTime: schedule.endTime,
        durationMinutes: duration.durationMinutes,
        startAt: schedule.startAt,
        endAt: schedule.endAt,
        durationSource: duration.durationSource,
        summedServiceDurations: duration.summedServiceDurations,
        status: data.status,
        fieldValues: data.fieldValues,
      },
      metadata: { ...command.metadata, schemaVersion: sessionCreatedVersion },
    },
  ];
};

/**
 * The OpenAPI document's component schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses). Response
 * schemas forbid properties they do not list, so a field added to a response without being
 * documented here fails the HTTP test suite, which validates every response against them.
 */
import { cancellationReasons, sessionStatuses } from '../../events/session.js';
import {
  cancellationNoteField,
  cancellationReasonField,
  changeReasonField,
  emailField,
  nameField,
  noteRequiredForOther,
  nullable,
  objectId as objectIdField,
  overlapTogether,
  phoneField,
  scopeField,
  serviceDurationField,
  sessionRequestFields,
  sessionStatusField,
  timeZoneField,
  updateDurationField,
} from './fields.js';

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$', description: '24-character lowercase hexadecimal id' };
const instant = { type: 'string', format: 'date-time' };
const name = { type: 'string', minLength: 1, maxLength: 200, description: 'Any Unicode text, 1 to 200 characters, stored trimmed' };
const timeOfDay = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: '24-hour time, HH:mm' };

/** A closed object: every listed property required unless named in `optional`. */
const record = (properties: Record<string, Schema>, optional: string[] = [], description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  properties,
  additionalProperties: false,
});

/** A request body: only `required` must be present; an unknown property is a 400 naming it. */
const requestBody = (properties: Record<string, Schema>, required: string[], description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  required,
  properties,
  additionalProperties: false,
});

/** A JSON merge patch: every field optional; `{}` is accepted, changes nothing and appends nothing. */
const patchBody = (properties: Record<string, Schema>, description: string): Schema =>
  requestBody(
    properties,
    [],
    `A JSON merge patch: only the fields named change. ${description} A patch that changes nothing appends nothing.`,
  );

const fieldValue = {
  type: 'object',
  required: ['fieldKey', 'value', 'phase'],
  properties: {
    fieldKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$' },
    value: { type: ['string', 'number', 'boolean', 'null'], maxLength: 10000 },
    phase: { type: 'string', minLength: 1, maxLength: 50 },
  },
  additionalProperties: false,
};

const version = { type: 'integer', minimum: 1, description: 'Events in the stream; the ETag, and what If-Match names' };

const historyEntry: Record<string, Schema> = {
  type: { type: 'string', description: 'Event type, e.g. SessionCreated' },
  schemaVersion: { type: 'integer', minimum: 0 },
  revision: { type: 'integer', minimum: 0, description: '0-based revision in the stream' },
  occurredAt: instant,
  actor: ref('Actor'),
  requestId: { type: 'string' },
  correlationId: { type: 'string' },
  eventId: { type: 'string', format: 'uuid' },
  data: { type: 'object', description: 'The event as recorded, upcast to its current shape' },
};

export const schemas: Record<string, Schema> = {
  ObjectId: objectIdField,

  FieldError: record({
    path: { type: 'string', description: 'The failing field ("" for the body as a whole)' },
    message: { type: 'string' },
  }),
  Problem: record(
    {
      type: { type: 'string', description: 'A URI reference naming the kind of problem, e.g. /problems/validation-error' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      instance: { type: 'string', description: 'The request path' },
      requestId: { type: 'string', description: 'Same as the X-Request-Id response header' },
      errors: { type: 'array', items: ref('FieldError'), description: 'Every failing field, when the problem is about fields' },
      currentVersion: { type: 'integer', minimum: 1, description: '412 only: the version the resource is at (also its ETag)' },
      conflicts: {
        type: 'array',
        items: ref('Busy'),
        description: '409 slot-conflict only: the sessions the staff member is busy with then',
      },
      errorsNotListed: { type: 'integer', minimum: 1, description: 'How many more problems there were than the 100 `errors` lists' },
      sessionStatus: { type: 'string', description: "409 not-editable / invalid-transition only: the session's status" },
      allowed: { type: 'object', description: '409 not-editable / invalid-transition only: what that status allows (`fields`, `actions`)' },
    },
    ['errors', 'currentVersion', 'conflicts', 'errorsNotListed', 'sessionStatus', 'allowed'],
    'An RFC 9457 problem (application/problem+json).',
  ),

  Workspace: record({
    id: objectId,
    name,
    timeZone: { type: 'string', description: 'IANA time zone name' },
    version,
    createdAt: instant,
    updatedAt: instant,
  }),
  Client: record({
    id: objectId,
    workspaceId: objectId,
    name,
    email: emailField,
    phone: nullable({ type: 'string' }),
    archived: { type: 'boolean' },
    version,
    createdAt: instant,
    updatedAt: instant,
  }),
  Service: record({
    id: objectId,
    workspaceId: objectId,
    name,
    scope: { type: 'string', description: 'Only "sessions" services can be booked in a session' },
    durationMinutes: nullable({ type: 'integer', minimum: 0, maximum: 1440 }),
    archived: { type: 'boolean' },
    version,
    createdAt: instant,
    updatedAt: instant,
  }),
  StaffMember: record({
    id: objectId,
    workspaceId: objectId,
    name,
    email: emailField,
    archived: { type: 'boolean' },
    version,
    createdAt: instant,
    updatedAt: instant,
  }),
  FieldValue: fieldValue,
  Session: record({
    id: objectId,
    workspaceId: objectId,
    clientId: objectId,
    clientName: { type: 'string' },
    serviceIds: { type: 'array', items: objectId, minItems: 1 },
    serviceNames: { type: 'array', items: { type: 'string' }, minItems: 1 },
    staffId: nullable(objectId),
    staffName: nullable({ type: 'string' }),
    name,
    date: { ...instant, description: 'Midnight UTC of the requested date' },
    startTime: timeOfDay,
    endTime: { ...timeOfDay, description: 'startTime + durationMinutes, wrapping past midnight' },
    durationMinutes: { type: 'integer', minimum: 1, maximum: 1440 },
    status: { type: 'string', enum: [...sessionStatuses] },
    fieldValues: { type: 'array', items: ref('FieldValue') },
    attachments: { type: 'array', maxItems: 0 },
    notes: { type: 'array', maxItems: 0 },
    invoice: { type: 'null' },
    createdAt: instant,
    updatedAt: { ...instant, description: 'Time of the last event' },
    version: { type: 'integer', minimum: 1, description: "Events in the session's stream; the ETag, and what If-Match names" },
    timeZone: { type: 'string', description: "The workspace's IANA zone when the session was last scheduled" },
    startAt: { ...instant, description: 'date + startTime in timeZone, as an instant' },
    endAt: { ...instant, description: 'startAt + durationMinutes' },
    startedAt: nullable(instant),
    completedAt: nullable(instant),
    overbooked: {
      description: "Set when the session was booked over another of its staff member's on purpose (allowOverlap)",
      oneOf: [{ type: 'null' }, record({ reason: { type: 'string' }, by: ref('Actor') })],
    },
    cancellation: {
      oneOf: [
        { type: 'null' },
        record({
          reason: { type: 'string', enum: [...cancellationReasons] },
          note: nullable({ type: 'string' }),
          at: instant,
          by: ref('Actor'),
        }),
      ],
    },
  }),
  Busy: record({ sessionId: objectId, startAt: instant, endAt: instant }),
  StaffBusy: record({
    staffId: objectId,
    from: instant,
    to: instant,
    busy: { type: 'array', items: ref('Busy'), description: 'Intervals overlapping [from, to), by start then session id' },
  }),
  SessionWarning: record({
    code: { type: 'string', enum: ['client-overlap'], description: 'client-overlap: the client has other sessions at the same time' },
    sessionIds: { type: 'array', items: objectId, minItems: 1 },
  }),
  SessionPage: record({
    sessions: { type: 'array', items: ref('Session'), description: 'Ordered by startAt, then id' },
    nextCursor: nullable({
      type: 'string',
      description: 'Pass as `cursor` (with the same filters) for the next page; null on the last page',
    }),
  }),

  CreateWorkspaceRequest: requestBody({ name: nameField(1000), timeZone: { ...timeZoneField(100), default: 'UTC' } }, ['name']),
  ChangeWorkspaceRequest: patchBody(
    { name: nameField(), timeZone: timeZoneField() },
    'Sessions keep the zone they were scheduled in; a new zone applies to bookings and reschedules from now on.',
  ),
  RegisterClientRequest: requestBody({ name: nameField(1000), email: emailField, phone: phoneField }, ['name']),
  ChangeClientRequest: patchBody({ name: nameField(), email: emailField, phone: phoneField }, 'null clears email or phone.'),
  DefineServiceRequest: requestBody({ name: nameField(1000), scope: scopeField, durationMinutes: serviceDurationField }, ['name', 'scope']),
  ChangeServiceRequest: patchBody(
    { name: nameField(), durationMinutes: serviceDurationField },
    'A new duration applies to sessions booked from now on. `scope` is fixed once the service is defined (a 400).',
  ),
  AddStaffMemberRequest: requestBody({ name: nameField(1000), email: emailField }, ['name']),
  ChangeStaffMemberRequest: patchBody({ name: nameField(), email: emailField }, 'null clears the email.'),
  CreateSessionRequest: {
    ...requestBody({ ...sessionRequestFields, status: sessionStatusField }, ['name', 'clientId', 'serviceIds', 'date', 'startTime']),
    ...overlapTogether,
  },
  UpdateSessionRequest: {
    ...patchBody(
      { ...sessionRequestFields, durationMinutes: updateDurationField, reason: changeReasonField },
      'Each field follows the create rules.',
    ),
    ...overlapTogether,
  },
  StatusActionRequest: {
    type: ['object', 'null'],
    maxProperties: 0,
    description: 'Empty: `{}` or no body at all (a JSON `null` reads as `{}`).',
  },
  CancelSessionRequest: {
    ...requestBody({ reason: cancellationReasonField, note: cancellationNoteField }, ['reason']),
    ...noteRequiredForOther,
  },

  Actor: record({ userId: { type: 'string' }, name: { type: 'string' } }, ['name']),
  HistoryEntry: record(historyEntry),
  AuditEntry: record({
    position: { type: 'string', pattern: '^\\d+$', description: 'Global log position (64-bit, as a decimal string)' },
    streamId: { type: 'string' },
    workspaceId: objectId,
    ...historyEntry,
  }),
  SessionHistory: record({ sessionId: objectId, events: { type: 'array', items: ref('HistoryEntry'), minItems: 1 } }),
  AuditPage: record({
    items: { type: 'array', items: ref('AuditEntry') },
    nextCursor: { type: 'string', description: 'Pass as `cursor` to read on; always present' },
    hasMore: {
      type: 'boolean',
      description: 'True when the page stopped before the end of the log (it may hold fewer items than limit, even none)',
    },
  }),

  Health: record(
    { status: { type: 'string', enum: ['ok', 'unavailable'] }, checks: { type: 'object', description: 'Per store: kind, ok, error' } },
    ['checks'],
  ),
  Readiness: record({
    status: { type: 'string', enum: ['ready', 'not-ready'] },
    reasons: { type: 'array', items: { type: 'string' } },
    maxProjectionLag: { type: 'integer', minimum: 0, description: 'READY_MAX_PROJECTION_LAG' },
    projections: {
      type: 'array',
      items: record({
        projection: { type: 'string' },
        checkpoint: nullable({ type: 'string', pattern: '^\\d+$' }),
        lag: { type: 'integer', minimum: 0, description: 'Events in the log after the checkpoint' },
      }),
    },
    checks: { type: 'object', description: 'As in /healthz' },
  }),
};

/**
 * The OpenAPI document's component schemas (JSON Schema 2020-12, as OpenAPI 3.1 uses). Response
 * schemas forbid properties they do not list, so a field added to a response without being
 * documented here fails the HTTP test suite, which validates every response against them.
 */
import { disambiguations } from '../../commands/schedule.js';
import { cancellationReasons, sessionStatuses } from '../../events/session.js';

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const objectId = { type: 'string', pattern: '^[0-9a-f]{24}$', description: '24-character lowercase hexadecimal id' };
const instant = { type: 'string', format: 'date-time' };
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });
const name = { type: 'string', minLength: 1, maxLength: 200, description: 'Any Unicode text, 1 to 200 characters after trimming' };
const email = { type: 'string', format: 'email', maxLength: 320 };
const timeOfDay = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: '24-hour time, HH:mm' };

/** A closed object: every listed property required unless named in `optional`. */
const record = (properties: Record<string, Schema>, optional: string[] = [], description?: string): Schema => ({
  type: 'object',
  ...(description ? { description } : {}),
  required: Object.keys(properties).filter((key) => !optional.includes(key)),
  properties,
  additionalProperties: false,
});

/** A request body: only `required` must be present; unknown properties are a 400. */
const requestBody = (properties: Record<string, Schema>, required: string[]): Schema => ({
  type: 'object',
  required,
  properties,
  additionalProperties: false,
});

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

/** The fields of a session request, shared by create (some required) and PATCH (all optional). */
const sessionRequestFields: Record<string, Schema> = {
  name,
  clientId: objectId,
  serviceIds: { type: 'array', items: objectId, minItems: 1, maxItems: 50, uniqueItems: true, description: 'Services of scope "sessions"' },
  staffId: nullable(objectId),
  date: {
    type: 'string',
    description: 'ISO 8601 date or datetime naming a real day (no offset: UTC); the local day in the workspace zone',
  },
  startTime: { ...timeOfDay, description: 'Local time in the workspace zone, HH:mm' },
  durationMinutes: {
    type: 'integer',
    minimum: 1,
    maximum: 1440,
    description: "Default: the sum of the services' durations (a service without one counts 0); a sum of 0 becomes 60",
  },
  fieldValues: {
    type: 'array',
    maxItems: 100,
    description: 'Pre-session custom field values; fieldKey unique; phase defaults to "pre" and may not be "post"',
    items: { ...fieldValue, required: ['fieldKey', 'value'] },
  },
  disambiguation: {
    type: 'string',
    enum: [...disambiguations],
    description: 'For a local time that a DST change skips or repeats: the earlier or the later instant (without it, a 422)',
  },
  allowOverlap: {
    type: 'boolean',
    const: true,
    description: "Book over the staff member's other sessions on purpose (needs sessions.overbook); without it such a booking is a 409",
  },
  overlapReason: { type: 'string', minLength: 1, maxLength: 500, description: 'Required with allowOverlap, allowed only with it' },
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
  ObjectId: objectId,
  ChangeRequest: { type: 'object', description: 'A JSON merge patch of the fields of the create request (only those named change).' },

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
    email: nullable(email),
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
    email: nullable(email),
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

  CreateWorkspaceRequest: requestBody({ name, timeZone: { type: 'string', description: 'IANA time zone name (default UTC)' } }, ['name']),
  RegisterClientRequest: requestBody(
    { name, email: nullable(email), phone: nullable({ type: 'string', pattern: '^\\+?[0-9 ()./-]{3,40}$' }) },
    ['name'],
  ),
  DefineServiceRequest: requestBody(
    {
      name,
      scope: { type: 'string', minLength: 1, maxLength: 50, description: 'e.g. "sessions" or "products"' },
      durationMinutes: nullable({ type: 'integer', minimum: 0, maximum: 1440 }),
    },
    ['name', 'scope'],
  ),
  AddStaffMemberRequest: requestBody({ name, email: nullable(email) }, ['name']),
  CreateSessionRequest: requestBody(
    { ...sessionRequestFields, status: { type: 'string', enum: [...sessionStatuses], default: 'scheduled' } },
    ['name', 'clientId', 'serviceIds', 'date', 'startTime'],
  ),
  UpdateSessionRequest: {
    ...requestBody(
      {
        ...sessionRequestFields,
        durationMinutes: nullable({ ...sessionRequestFields.durationMinutes, description: 'null: derive it from the services again' }),
        reason: nullable({ type: 'string', maxLength: 500, description: 'Why, recorded on the events' }),
      },
      [],
    ),
    description: 'A JSON merge patch: only the fields named change. A patch that changes nothing appends nothing.',
  },
  StatusActionRequest: { type: 'object', maxProperties: 0, description: 'Empty: `{}` or no body at all.' },
  CancelSessionRequest: requestBody(
    {
      reason: { type: 'string', enum: [...cancellationReasons], description: '`no-show` only once the session was due to start' },
      note: nullable({ type: 'string', maxLength: 500, description: 'Required when reason is "other"' }),
    },
    ['reason'],
  ),

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

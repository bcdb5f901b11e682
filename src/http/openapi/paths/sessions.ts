import { cancellationReasons, sessionStatuses } from '../../../events/session.js';
import { sessionListLimits } from '../../routes/sessionList.js';
import { createSessionRequestExample, createSessionResponseExample } from '../examples.js';
import { cursorField, isoInstantOrDate, objectId } from '../fields.js';
import {
  headerRef,
  jsonResponse,
  notModifiedResponse,
  operation,
  parameterRef,
  pathParameter,
  queryParameter as query,
  wrapped,
} from '../operation.js';
import { ref } from '../schemas.js';

const tags = ['Sessions'];
const sessionId = pathParameter('sessionId', "The session's id (any other string is a 404).");
const statusList = `(?:${sessionStatuses.join('|')})`;
const etag = { ETag: headerRef('ETag') };

/** `{ session, warnings? }`: what a create or a change answers. */
const sessionWithWarnings = {
  type: 'object',
  required: ['session'],
  properties: {
    session: ref('Session'),
    warnings: {
      type: 'array',
      items: ref('SessionWarning'),
      minItems: 1,
      description: 'Present when something is worth a look but not a refusal',
    },
  },
  additionalProperties: false,
};

/** 200 with the session after a change, its new ETag, and whether this answered a repeat. */
const changed = (description: string) =>
  jsonResponse(description, sessionWithWarnings, { headers: { ...etag, 'Idempotent-Replayed': headerRef('Idempotent-Replayed') } });

const statusAction = (name: 'start' | 'complete', summary: string, description: string) => ({
  [`/v1/workspace/{workspaceId}/sessions/{sessionId}/${name}`]: {
    post: operation({
      operationId: `${name}Session`,
      summary,
      description,
      tags,
      access: { token: 'workspace', permission: 'sessions.update' },
      parameters: [parameterRef('workspaceId'), sessionId],
      requestBody: { schema: ref('StatusActionRequest'), optional: true },
      idempotent: true,
      ifMatch: true,
      responses: { 200: changed('The session after the change.') },
      errors: [404, 409],
    }),
  },
});

export const sessionPaths = {
  '/v1/workspace/{workspaceId}/sessions': {
    post: operation({
      operationId: 'createSession',
      summary: 'Create a session',
      description:
        'Books a session of one or more `sessions` services for a client, optionally with a staff member. ' +
        "Without `durationMinutes` the duration is the sum of the services' durations (0 for a service without one; 60 when the sum is 0). " +
        "`date` and `startTime` are local to the workspace's time zone; `date` is answered as midnight UTC of that day, `startAt`/`endAt` as instants, `endTime` is `startTime` plus the duration. " +
        'Errors, in this order: 401, 403 (also `allowOverlap` without sessions.overbook), 400 (body), 404 (client, services or staff not in the workspace), 422 (a service whose scope is not `sessions`, a `post` field value, a duration over 1440, a local time a DST change skips or repeats without `disambiguation`), 409 `slot-conflict` (the staff member is busy then; `conflicts` lists the sessions). A client booked twice at once is only a warning.',
      tags,
      access: { token: 'workspace', permission: 'sessions.create' },
      parameters: [parameterRef('workspaceId')],
      requestBody: { schema: ref('CreateSessionRequest'), example: createSessionRequestExample },
      idempotent: true,
      responses: {
        201: jsonResponse('The session as stored, identical to what GET returns.', sessionWithWarnings, {
          example: createSessionResponseExample,
          headers: { Location: headerRef('Location'), 'Idempotent-Replayed': headerRef('Idempotent-Replayed'), ...etag },
        }),
      },
      errors: [404, 409, 422],
    }),
    get: operation({
      operationId: 'listSessions',
      summary: 'List sessions',
      description:
        'Sessions whose [startAt, endAt) overlaps [from, to), filtered, ordered by startAt then id, a page at a time. Unknown query parameters are a 400.',
      tags,
      access: { token: 'workspace', permission: 'sessions.read' },
      parameters: [
        parameterRef('workspaceId'),
        query(
          'from',
          'Sessions that end after this.',
          isoInstantOrDate(
            'An ISO 8601 instant with Z or an offset, or a plain date YYYY-MM-DD (local midnight in the workspace zone)',
            '2024-01-20',
          ),
        ),
        query('to', 'Sessions that start before this; after from.', isoInstantOrDate('As from', '2024-01-21T00:00:00Z')),
        query('staffId', 'Only this staff member’s sessions.', objectId),
        query('clientId', 'Only this client’s sessions.', objectId),
        query('serviceId', 'Only sessions with this service.', objectId),
        query('status', `Comma-separated statuses: ${sessionStatuses.join(', ')}.`, {
          type: 'string',
          pattern: `^\\s*${statusList}\\s*(?:,\\s*${statusList}\\s*)*$`,
          examples: ['scheduled,in-progress'],
        }),
        query('limit', 'Sessions per page.', {
          type: 'integer',
          minimum: 1,
          maximum: sessionListLimits.maxLimit,
          default: sessionListLimits.defaultLimit,
          examples: [20],
        }),
        query('cursor', 'The nextCursor of the previous page, with the same filters.', cursorField(300)),
      ],
      responses: { 200: jsonResponse('One page of sessions.', ref('SessionPage')) },
      errors: [400, 404],
    }),
  },
  '/v1/workspace/{workspaceId}/sessions/{sessionId}': {
    get: operation({
      operationId: 'getSession',
      summary: 'Read a session',
      tags,
      access: { token: 'workspace', permission: 'sessions.read' },
      parameters: [parameterRef('workspaceId'), sessionId, parameterRef('If-None-Match')],
      responses: {
        200: jsonResponse('The session, identical to the 201 body of its create.', wrapped('session', 'Session'), {
          example: createSessionResponseExample,
          headers: etag,
        }),
        304: notModifiedResponse(),
      },
      errors: [404],
    }),
    patch: operation({
      operationId: 'updateSession',
      summary: 'Change a session',
      description:
        'A JSON merge patch of name, client, services, staff member, date, start time, duration and field values, each under the create rules. ' +
        "Each kind of change is its own event (details, client, services, staff, schedule); a patch that changes nothing appends nothing. What the session's status allows is checked last (409).",
      tags,
      access: { token: 'workspace', permission: 'sessions.update' },
      parameters: [parameterRef('workspaceId'), sessionId],
      requestBody: {
        schema: ref('UpdateSessionRequest'),
        alsoAs: ['application/merge-patch+json'],
        example: { startTime: '11:00', reason: 'client asked' },
      },
      idempotent: true,
      ifMatch: true,
      responses: { 200: changed('The session after the patch.') },
      errors: [404, 409, 422],
    }),
  },
  ...statusAction('start', 'Start a session', 'A scheduled session begins: status `in-progress`, `startedAt` set.'),
  ...statusAction('complete', 'Complete a session', 'An in-progress session ends: status `completed`, `completedAt` set.'),
  '/v1/workspace/{workspaceId}/sessions/{sessionId}/cancel': {
    post: operation({
      operationId: 'cancelSession',
      summary: 'Cancel a session',
      description: `A scheduled or in-progress session is called off, with a reason (${cancellationReasons.join(', ')}); a no-show only once it was due to start.`,
      tags,
      access: { token: 'workspace', permission: 'sessions.cancel' },
      parameters: [parameterRef('workspaceId'), sessionId],
      requestBody: { schema: ref('CancelSessionRequest'), example: { reason: 'client-request', note: 'Called the day before' } },
      idempotent: true,
      ifMatch: true,
      responses: { 200: changed('The cancelled session.') },
      errors: [404, 409, 422],
    }),
  },
};

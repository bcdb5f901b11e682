import { createSessionRequestExample, createSessionResponseExample } from '../examples.js';
import { createdResponse, jsonResponse, operation, parameterRef, pathParameter, wrapped } from '../operation.js';
import { ref } from '../schemas.js';

const sessionId = pathParameter('sessionId', "The session's id (any other string is a 404).");

export const sessionPaths = {
  '/v1/workspace/{workspaceId}/sessions': {
    post: operation({
      operationId: 'createSession',
      summary: 'Create a session',
      description:
        'Books a session of one or more `sessions` services for a client, optionally with a staff member. ' +
        'Without `durationMinutes` the duration is the sum of the services\' durations (0 for a service without one; 60 when the sum is 0). ' +
        '`date` is stored as midnight UTC of its UTC day; `endTime` is `startTime` plus the duration. ' +
        'Errors, in this order: 401, 403, 400 (body), 404 (client, services or staff not in the workspace), 422 (a service whose scope is not `sessions`, a `post` field value, a duration over 1440).',
      tags: ['Sessions'],
      access: { token: 'workspace', permission: 'sessions.create' },
      parameters: [parameterRef('workspaceId')],
      requestBody: { schema: ref('CreateSessionRequest'), example: createSessionRequestExample },
      idempotent: true,
      responses: { 201: createdResponse('The session as stored, identical to what GET returns.', 'session', 'Session', createSessionResponseExample) },
      errors: [404, 409, 422],
    }),
  },
  '/v1/workspace/{workspaceId}/sessions/{sessionId}': {
    get: operation({
      operationId: 'getSession',
      summary: 'Read a session',
      tags: ['Sessions'],
      access: { token: 'workspace', permission: 'sessions.read' },
      parameters: [parameterRef('workspaceId'), sessionId],
      responses: { 200: jsonResponse('The session, identical to the 201 body of its create.', wrapped('session', 'Session'), { example: createSessionResponseExample }) },
      errors: [404],
    }),
  },
};

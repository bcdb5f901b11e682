import { auditLimits } from '../../routes/audit.js';
import { jsonResponse, operation, parameterRef, pathParameter } from '../operation.js';
import { ref } from '../schemas.js';

const query = (name: string, description: string, schema: Record<string, unknown>) => ({ name, in: 'query', description, schema });

export const auditPaths = {
  '/v1/workspace/{workspaceId}/sessions/{sessionId}/history': {
    get: operation({
      operationId: 'getSessionHistory',
      summary: "A session's history",
      description: "The session's events in order, with who did what, when, and in which request.",
      tags: ['Audit'],
      access: { token: 'workspace', permission: 'sessions.audit' },
      parameters: [parameterRef('workspaceId'), pathParameter('sessionId', "The session's id.")],
      responses: { 200: jsonResponse('The events of the session, oldest first.', ref('SessionHistory')) },
      errors: [404],
    }),
  },
  '/v1/workspace/{workspaceId}/audit': {
    get: operation({
      operationId: 'getAuditLog',
      summary: "The workspace's audit log",
      description:
        'Every event of the workspace in log order, a page at a time. Unknown query parameters are a 400, so a misspelt filter never widens an audit.',
      tags: ['Audit'],
      access: { token: 'workspace', permission: 'audit.read' },
      parameters: [
        parameterRef('workspaceId'),
        query('type', `Event types, comma-separated or repeated (at most ${auditLimits.maxTypes}).`, { type: 'string' }),
        query('actorId', "Only events of this user (the token's sub).", { type: 'string', minLength: 1, maxLength: 200 }),
        query('from', 'occurredAt at or after this ISO 8601 instant.', { type: 'string' }),
        query('to', 'occurredAt before this ISO 8601 instant.', { type: 'string' }),
        query('limit', 'Items per page.', {
          type: 'integer',
          minimum: 1,
          maximum: auditLimits.maxLimit,
          default: auditLimits.defaultLimit,
        }),
        query('cursor', 'The nextCursor of a previous page.', { type: 'string' }),
      ],
      responses: { 200: jsonResponse('One page of the log.', ref('AuditPage')) },
      errors: [400, 404],
    }),
  },
};

import { auditLimits } from '../../routes/audit.js';
import { isoDateOrDateTime } from '../fields.js';
import { jsonResponse, operation, parameterRef, pathParameter, queryParameter as query } from '../operation.js';
import { ref } from '../schemas.js';

const eventType = '[A-Za-z][A-Za-z0-9]{0,99}';

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
        {
          ...query('type', `Event types, comma-separated or repeated (at most ${auditLimits.maxTypes} in all).`, {
            type: 'array',
            maxItems: auditLimits.maxTypes,
            items: { type: 'string', examples: ['SessionCreated'], pattern: `^\\s*${eventType}\\s*(?:,\\s*${eventType}\\s*)*$` },
            examples: [['SessionCreated', 'SessionCancelled']],
          }),
          style: 'form',
          explode: true,
        },
        query('actorId', "Only events of this user (the token's sub).", {
          type: 'string',
          minLength: 1,
          maxLength: 200,
          examples: ['user-1'],
        }),
        query('from', 'occurredAt at or after this.', isoDateOrDateTime('An ISO 8601 date or datetime (no offset: UTC)', '2024-01-01')),
        query('to', 'occurredAt before this; after from.', isoDateOrDateTime('As from', '2024-12-31T23:59:59Z')),
        query('limit', 'Items per page.', {
          type: 'integer',
          minimum: 1,
          maximum: auditLimits.maxLimit,
          default: auditLimits.defaultLimit,
          examples: [50],
        }),
        query('cursor', 'The nextCursor of a previous page.', {
          type: 'string',
          pattern: '^[A-Za-z0-9_-]{1,200}$',
          description: 'Opaque; a cursor this API did not issue, or issued for another workspace, is a 400',
        }),
      ],
      responses: { 200: jsonResponse('One page of the log.', ref('AuditPage')) },
      errors: [400, 404],
    }),
  },
};

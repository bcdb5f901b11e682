import { createdResponse, headerRef, jsonResponse, notModifiedResponse, operation, parameterRef, wrapped } from '../operation.js';
import { ref } from '../schemas.js';

export const workspacePaths = {
  '/v1/workspaces': {
    post: operation({
      operationId: 'createWorkspace',
      summary: 'Create a workspace',
      description: "Idempotency keys of platform requests are scoped to the token's user.",
      tags: ['Workspaces'],
      access: { token: 'platform', permission: 'workspaces.create' },
      requestBody: { schema: ref('CreateWorkspaceRequest'), example: { name: 'My Clinic', timeZone: 'Europe/Paris' } },
      idempotent: true,
      responses: { 201: createdResponse('The workspace as stored.', 'workspace', 'Workspace', { headers: { ETag: headerRef('ETag') } }) },
    }),
  },
  '/v1/workspace/{workspaceId}': {
    get: operation({
      operationId: 'getWorkspace',
      summary: 'Read a workspace',
      tags: ['Workspaces'],
      access: { token: 'workspace' },
      parameters: [parameterRef('workspaceId'), parameterRef('If-None-Match')],
      responses: {
        200: jsonResponse('The workspace.', wrapped('workspace', 'Workspace'), { headers: { ETag: headerRef('ETag') } }),
        304: notModifiedResponse(),
      },
      errors: [404],
    }),
    patch: operation({
      operationId: 'changeWorkspace',
      summary: 'Change a workspace',
      description: 'Name and time zone; sessions keep the zone they were scheduled in.',
      tags: ['Workspaces'],
      access: { token: 'workspace', permission: 'workspaces.update' },
      parameters: [parameterRef('workspaceId')],
      requestBody: { schema: ref('ChangeWorkspaceRequest'), alsoAs: ['application/merge-patch+json'] },
      idempotent: true,
      ifMatch: true,
      responses: {
        200: jsonResponse('The workspace after the change.', wrapped('workspace', 'Workspace'), {
          headers: { ETag: headerRef('ETag'), 'Idempotent-Replayed': headerRef('Idempotent-Replayed') },
        }),
      },
      errors: [404, 409, 422],
    }),
  },
};

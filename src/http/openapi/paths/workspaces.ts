import { createdResponse, jsonResponse, operation, parameterRef, wrapped } from '../operation.js';
import { ref } from '../schemas.js';

export const workspacePaths = {
  '/v1/workspaces': {
    post: operation({
      operationId: 'createWorkspace',
      summary: 'Create a workspace',
      description: 'Idempotency keys of platform requests are scoped to the token\'s user.',
      tags: ['Workspaces'],
      access: { token: 'platform', permission: 'workspaces.create' },
      requestBody: { schema: ref('CreateWorkspaceRequest'), example: { name: 'My Clinic', timeZone: 'Europe/Paris' } },
      idempotent: true,
      responses: { 201: createdResponse('The workspace as stored.', 'workspace', 'Workspace') },
    }),
  },
  '/v1/workspace/{workspaceId}': {
    get: operation({
      operationId: 'getWorkspace',
      summary: 'Read a workspace',
      tags: ['Workspaces'],
      access: { token: 'workspace' },
      parameters: [parameterRef('workspaceId')],
      responses: { 200: jsonResponse('The workspace.', wrapped('workspace', 'Workspace')) },
      errors: [404],
    }),
  },
};

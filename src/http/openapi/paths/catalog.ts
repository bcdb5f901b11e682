/** Clients, services and staff share one shape (as src/http/routes/catalogResource.ts does). */
import { createdResponse, jsonResponse, operation, parameterRef, pathParameter, wrapped } from '../operation.js';
import { maxBusyRangeDays } from '../../../commands/staffBusy.js';
import { ref } from '../schemas.js';

interface CatalogDoc {
  collection: string;
  tag: string;
  /** Response key and component schema name. */
  key: string;
  entity: string;
  label: string;
  request: string;
  example: Record<string, unknown>;
}

const catalogPaths = (doc: CatalogDoc) => ({
  [`/v1/workspace/{workspaceId}/${doc.collection}`]: {
    post: operation({
      operationId: `create${doc.entity}`,
      summary: `Create a ${doc.label}`,
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.create` },
      parameters: [parameterRef('workspaceId')],
      requestBody: { schema: ref(doc.request), example: doc.example },
      idempotent: true,
      responses: { 201: createdResponse(`The ${doc.label} as stored.`, doc.key, doc.entity) },
      errors: [404, 409],
    }),
  },
  [`/v1/workspace/{workspaceId}/${doc.collection}/{id}`]: {
    get: operation({
      operationId: `get${doc.entity}`,
      summary: `Read a ${doc.label}`,
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.read` },
      parameters: [parameterRef('workspaceId'), pathParameter('id', `The ${doc.label}'s id (any other string is a 404).`)],
      responses: { 200: jsonResponse(`The ${doc.label}.`, wrapped(doc.key, doc.entity)) },
      errors: [404],
    }),
  },
});

const staffBusy = {
  '/v1/workspace/{workspaceId}/staff/{staffId}/busy': {
    get: operation({
      operationId: 'getStaffBusy',
      summary: "A staff member's busy intervals",
      description: 'What a booking of this staff member would be refused for, read from the same streams the booking decisions keep consistent.',
      tags: ['Staff'],
      access: { token: 'workspace', permission: 'sessions.read' },
      parameters: [
        parameterRef('workspaceId'),
        pathParameter('staffId', "The staff member's id."),
        { name: 'from', in: 'query', required: true, description: 'An ISO 8601 instant with Z or an offset.', schema: { type: 'string' } },
        { name: 'to', in: 'query', required: true, description: `After from, at most ${maxBusyRangeDays} days later.`, schema: { type: 'string' } },
      ],
      responses: { 200: jsonResponse('The busy intervals.', ref('StaffBusy')) },
      errors: [400, 404],
    }),
  },
};

export const catalogPathsAll = {
  ...staffBusy,
  ...catalogPaths({
    collection: 'clients',
    tag: 'Clients',
    key: 'client',
    entity: 'Client',
    label: 'client',
    request: 'RegisterClientRequest',
    example: { name: 'John Doe', email: 'john@example.com', phone: '+33 1 23 45 67 89' },
  }),
  ...catalogPaths({
    collection: 'services',
    tag: 'Services',
    key: 'service',
    entity: 'Service',
    label: 'service',
    request: 'DefineServiceRequest',
    example: { name: 'استشارة طبية', scope: 'sessions', durationMinutes: 30 },
  }),
  ...catalogPaths({
    collection: 'staff',
    tag: 'Staff',
    key: 'staff',
    entity: 'StaffMember',
    label: 'staff member',
    request: 'AddStaffMemberRequest',
    example: { name: 'Dr. Smith', email: 'smith@example.com' },
  }),
};

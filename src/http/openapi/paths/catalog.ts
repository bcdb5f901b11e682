/** Clients, services and staff share one shape (as src/http/routes/catalogResource.ts does). */
import {
  createdResponse,
  headerRef,
  jsonResponse,
  notModifiedResponse,
  operation,
  parameterRef,
  pathParameter,
  wrapped,
} from '../operation.js';
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

const idParameter = (doc: CatalogDoc) => pathParameter('id', `The ${doc.label}'s id (any other string is a 404).`);
const withEtag = (description: string, doc: CatalogDoc) =>
  jsonResponse(description, wrapped(doc.key, doc.entity), {
    headers: { ETag: headerRef('ETag'), 'Idempotent-Replayed': headerRef('Idempotent-Replayed') },
  });

const archiveAction = (doc: CatalogDoc, action: 'archive' | 'unarchive') => ({
  [`/v1/workspace/{workspaceId}/${doc.collection}/{id}/${action}`]: {
    post: operation({
      operationId: `${action}${doc.entity}`,
      summary: `${action === 'archive' ? 'Archive' : 'Unarchive'} a ${doc.label}`,
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.update` },
      parameters: [parameterRef('workspaceId'), idParameter(doc)],
      requestBody: { schema: ref('StatusActionRequest'), optional: true },
      idempotent: true,
      ifMatch: true,
      responses: { 200: withEtag(`The ${doc.label} after the change.`, doc) },
      errors: [404, 409],
    }),
  },
});

const catalogPaths = (doc: CatalogDoc) => ({
  [`/v1/workspace/{workspaceId}/${doc.collection}`]: {
    get: operation({
      operationId: `list${doc.entity}s`,
      summary: `List ${doc.label}s`,
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.read` },
      parameters: [
        parameterRef('workspaceId'),
        {
          name: 'query',
          in: 'query',
          description: 'Filters (search, scope, includeArchived, limit, cursor); unknown ones are a 400.',
          schema: { type: 'object', additionalProperties: { type: 'string' } },
          style: 'form',
          explode: true,
        },
      ],
      responses: {
        200: jsonResponse(`One page of ${doc.label}s.`, {
          type: 'object',
          required: [doc.collection, 'nextCursor'],
          properties: { [doc.collection]: { type: 'array', items: ref(doc.entity) }, nextCursor: { type: ['string', 'null'] } },
          additionalProperties: false,
        }),
      },
      errors: [400, 404],
    }),
    post: operation({
      operationId: `create${doc.entity}`,
      summary: `Create a ${doc.label}`,
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.create` },
      parameters: [parameterRef('workspaceId')],
      requestBody: { schema: ref(doc.request), example: doc.example },
      idempotent: true,
      responses: { 201: createdResponse(`The ${doc.label} as stored.`, doc.key, doc.entity, { headers: { ETag: headerRef('ETag') } }) },
      errors: [404, 409],
    }),
  },
  [`/v1/workspace/{workspaceId}/${doc.collection}/{id}`]: {
    get: operation({
      operationId: `get${doc.entity}`,
      summary: `Read a ${doc.label}`,
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.read` },
      parameters: [parameterRef('workspaceId'), idParameter(doc), parameterRef('If-None-Match')],
      responses: {
        200: jsonResponse(`The ${doc.label}.`, wrapped(doc.key, doc.entity), { headers: { ETag: headerRef('ETag') } }),
        304: notModifiedResponse(),
      },
      errors: [404],
    }),
    patch: operation({
      operationId: `change${doc.entity}`,
      summary: `Change a ${doc.label}`,
      description: 'A rename reaches every session that shows the name.',
      tags: [doc.tag],
      access: { token: 'workspace', permission: `${doc.collection}.update` },
      parameters: [parameterRef('workspaceId'), idParameter(doc)],
      requestBody: { schema: ref('ChangeRequest'), alsoAs: ['application/merge-patch+json'] },
      idempotent: true,
      ifMatch: true,
      responses: { 200: withEtag(`The ${doc.label} after the change.`, doc) },
      errors: [404, 409, 422],
    }),
  },
  ...archiveAction(doc, 'archive'),
  ...archiveAction(doc, 'unarchive'),
});

const staffBusy = {
  '/v1/workspace/{workspaceId}/staff/{staffId}/busy': {
    get: operation({
      operationId: 'getStaffBusy',
      summary: "A staff member's busy intervals",
      description:
        'What a booking of this staff member would be refused for, read from the same streams the booking decisions keep consistent.',
      tags: ['Staff'],
      access: { token: 'workspace', permission: 'sessions.read' },
      parameters: [
        parameterRef('workspaceId'),
        pathParameter('staffId', "The staff member's id."),
        { name: 'from', in: 'query', required: true, description: 'An ISO 8601 instant with Z or an offset.', schema: { type: 'string' } },
        {
          name: 'to',
          in: 'query',
          required: true,
          description: `After from, at most ${maxBusyRangeDays} days later.`,
          schema: { type: 'string' },
        },
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

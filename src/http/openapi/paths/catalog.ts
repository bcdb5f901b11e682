/** Clients, services and staff share one shape (as src/http/routes/catalogResource.ts does). */
import {
  createdResponse,
  headerRef,
  jsonResponse,
  notModifiedResponse,
  operation,
  parameterRef,
  pathParameter,
  queryParameter as query,
  wrapped,
} from '../operation.js';
import { maxBusyRangeDays } from '../../../commands/staffBusy.js';
import { catalogListLimits } from '../../routes/catalogList.js';
import { cursorField as cursorSchema, isoInstant, trimmedText } from '../fields.js';
import { ref } from '../schemas.js';

interface CatalogDoc {
  collection: string;
  tag: string;
  /** Response key and component schema name. */
  key: string;
  entity: string;
  label: string;
  request: string;
  /** The PATCH body's component schema. */
  change: string;
  example: Record<string, unknown>;
  /** The list filters by `scope` (services). */
  scoped?: boolean;
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
        query('search', 'A substring of the name, matched ignoring letter case, accents and marks.', {
          type: 'string',
          pattern: trimmedText(200),
          description: '1 to 200 characters after trimming, not only spaces or marks',
          examples: ['smi'],
        }),
        ...(doc.scoped
          ? [query('scope', 'Only services of this scope.', { type: 'string', pattern: trimmedText(50), examples: ['sessions'] })]
          : []),
        query('includeArchived', 'Archived entries too (default: only the others).', { type: 'boolean', default: false, examples: [true] }),
        query('limit', 'Entries per page.', {
          type: 'integer',
          minimum: 1,
          maximum: catalogListLimits.maxLimit,
          default: catalogListLimits.defaultLimit,
          examples: [20],
        }),
        query('cursor', 'The nextCursor of the previous page, with the same filters.', cursorSchema(2000)),
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
      requestBody: { schema: ref(doc.change), alsoAs: ['application/merge-patch+json'] },
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
        query('from', 'The start of the range.', isoInstant('An ISO 8601 instant with Z or an offset', '2024-06-03T00:00:00Z'), {
          required: true,
        }),
        query(
          'to',
          `The end of the range: after from, at most ${maxBusyRangeDays} days later.`,
          isoInstant('An ISO 8601 instant with Z or an offset', '2024-06-04T00:00:00Z'),
          { required: true },
        ),
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
    change: 'ChangeClientRequest',
    example: { name: 'John Doe', email: 'john@example.com', phone: '+33 1 23 45 67 89' },
  }),
  ...catalogPaths({
    collection: 'services',
    tag: 'Services',
    key: 'service',
    entity: 'Service',
    label: 'service',
    request: 'DefineServiceRequest',
    change: 'ChangeServiceRequest',
    scoped: true,
    example: { name: 'استشارة طبية', scope: 'sessions', durationMinutes: 30 },
  }),
  ...catalogPaths({
    collection: 'staff',
    tag: 'Staff',
    key: 'staff',
    entity: 'StaffMember',
    label: 'staff member',
    request: 'AddStaffMemberRequest',
    change: 'ChangeStaffMemberRequest',
    example: { name: 'Dr. Smith', email: 'smith@example.com' },
  }),
};

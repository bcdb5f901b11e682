/**
 * Builders for the OpenAPI document, so that documenting a route is one `operation({...})` entry
 * in the feature's file under ./paths/. `operation` adds what every route of a kind shares: the
 * bearer-token security and the permission, the 401/403/500 problems, the 400/413/415 of a JSON
 * body, and for creates the Idempotency-Key header with its 422.
 */
import { ref, type Schema } from './schemas.js';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500;

export interface ResponseObject {
  description: string;
  headers?: Record<string, Schema>;
  content?: Record<string, { schema: Schema; example?: unknown }>;
}

export interface OperationSpec {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /**
   * Who may call it: `public` (no token), a `platform` token (one bound to no workspace), or a
   * token of the path's workspace, with `permission` when one is needed.
   */
  access: 'public' | { token: 'platform' | 'workspace'; permission?: string };
  parameters?: Schema[];
  requestBody?: { schema: Schema; description?: string; example?: unknown };
  /** A create: takes Idempotency-Key, replays its 201, answers 422 to a key reused with another body. */
  idempotent?: boolean;
  responses: Record<number, ResponseObject | Schema>;
  /** Errors particular to this operation; the shared ones are added. */
  errors?: ErrorStatus[];
}

const errorResponses: Record<ErrorStatus, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  429: 'TooManyRequests',
  500: 'InternalError',
};

export const responseRef = (name: string): Schema => ({ $ref: `#/components/responses/${name}` });
export const headerRef = (name: string): Schema => ({ $ref: `#/components/headers/${name}` });
export const parameterRef = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

/** A JSON response; every response carries X-Request-Id. */
export const jsonResponse = (description: string, schema: Schema, extra: { headers?: Record<string, Schema>; example?: unknown } = {}): ResponseObject => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...extra.headers },
  content: { 'application/json': { schema, ...(extra.example === undefined ? {} : { example: extra.example }) } },
});

/** `{ [key]: Entity }`, the shape of every single-resource response. */
export const wrapped = (key: string, entity: string): Schema => ({
  type: 'object',
  required: [key],
  properties: { [key]: ref(entity) },
  additionalProperties: false,
});

/** The 201 of a create: the stored document, where it lives, and whether this was a replay. */
export const createdResponse = (description: string, key: string, entity: string, example?: unknown): ResponseObject =>
  jsonResponse(description, wrapped(key, entity), {
    headers: { Location: headerRef('Location'), 'Idempotent-Replayed': headerRef('Idempotent-Replayed') },
    ...(example === undefined ? {} : { example }),
  });

export const operation = (spec: OperationSpec): Schema => {
  const errors = new Set<ErrorStatus>(spec.errors ?? []);
  const lines: string[] = [];
  if (spec.description) lines.push(spec.description);
  if (spec.access === 'public') {
    lines.push('**Authentication:** none.');
  } else {
    errors.add(401).add(403);
    const who = spec.access.token === 'platform' ? 'a platform token (not bound to a workspace)' : "a token of the path's workspace";
    lines.push(`**Authentication:** ${who}. **Permission:** ${spec.access.permission ? `\`${spec.access.permission}\`` : 'none beyond the workspace'}.`);
  }
  if (spec.requestBody) errors.add(400).add(413).add(415);
  if (spec.idempotent) errors.add(422);
  errors.add(500);

  const responses: Record<string, Schema | ResponseObject> = {};
  for (const [status, response] of Object.entries(spec.responses)) responses[status] = response;
  for (const status of [...errors].sort()) responses[String(status)] ??= responseRef(errorResponses[status]);

  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: lines.join('\n\n'),
    tags: spec.tags,
    ...(spec.access === 'public'
      ? { security: [] }
      : { security: [{ bearerAuth: [] }], ...(spec.access.permission ? { 'x-permission': spec.access.permission } : {}) }),
    parameters: [...(spec.parameters ?? []), ...(spec.idempotent ? [parameterRef('Idempotency-Key')] : []), parameterRef('X-Request-Id'), parameterRef('X-Correlation-Id')],
    ...(spec.requestBody
      ? {
          requestBody: {
            required: true,
            ...(spec.requestBody.description ? { description: spec.requestBody.description } : {}),
            content: {
              'application/json': {
                schema: spec.requestBody.schema,
                ...(spec.requestBody.example === undefined ? {} : { example: spec.requestBody.example }),
              },
            },
          },
        }
      : {}),
    responses,
  };
};

const problemResponse = (description: string, headers: Record<string, Schema> = {}): ResponseObject => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...headers },
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

export const components = {
  responses: {
    BadRequest: problemResponse('The request is malformed: `errors` lists every failing field (body fields, query parameters, Idempotency-Key).'),
    Unauthorized: problemResponse('No token, or one that does not verify (signature, expiry, issuer, audience).', {
      'WWW-Authenticate': { required: true, schema: { type: 'string', pattern: '^Bearer' } },
    }),
    Forbidden: problemResponse("The token lacks the permission, or may not act in the path's workspace."),
    NotFound: problemResponse('The resource, or something the request names (in `errors`), does not exist in this workspace.'),
    Conflict: problemResponse('A concurrent request changed the resource first; retrying is safe.'),
    ContentTooLarge: problemResponse('The body is larger than BODY_LIMIT.'),
    UnsupportedMediaType: problemResponse('The body is not application/json.'),
    UnprocessableContent: problemResponse('Well-formed, but breaks a business rule (listed in `errors`), or reuses an Idempotency-Key with another body.'),
    TooManyRequests: problemResponse('Rate limited: retry after the number of seconds in Retry-After.', {
      'Retry-After': { required: true, description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^\\d+$' } },
    }),
    InternalError: problemResponse('The server failed; the detail quotes the request id, nothing else.'),
  },
  headers: {
    'X-Request-Id': { required: true, description: 'The request id: a sane incoming X-Request-Id is echoed, otherwise a new UUID.', schema: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,128}$' } },
    Location: { required: true, description: 'Path of the created resource.', schema: { type: 'string' } },
    'Idempotent-Replayed': { description: 'Present (`true`) when this answers a repeat of an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
  },
  parameters: {
    'Idempotency-Key': {
      name: 'Idempotency-Key',
      in: 'header',
      description: 'Makes the create safe to retry: a repeat with the same key and body answers the original 201 and appends nothing; the same key with another body is a 422.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    },
    'X-Request-Id': { name: 'X-Request-Id', in: 'header', description: 'Echoed when it is 1 to 128 of `A-Za-z0-9._:@-`; recorded on the events.', schema: { type: 'string' } },
    'X-Correlation-Id': { name: 'X-Correlation-Id', in: 'header', description: 'Recorded on the events (default: the request id).', schema: { type: 'string' } },
    workspaceId: { name: 'workspaceId', in: 'path', required: true, description: 'The workspace; the token must be bound to it.', schema: ref('ObjectId') },
  },
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'HS256 (JWT_SECRET) or RS256/ES256 (JWT_PUBLIC_KEY). Claims: sub, name?, permissions[], workspaceId (absent on platform tokens), exp.',
    },
    metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN configured on the service (not a JWT).' },
  },
};

export const pathParameter = (name: string, description: string): Schema => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

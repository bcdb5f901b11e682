/**
 * Builders for the OpenAPI document, so that documenting a route is one `operation({...})` entry
 * in the feature's file under ./paths/. `operation` adds what every route of a kind shares: the
 * bearer-token security and the permission, the 401/403/500 problems, the 400/413/415 of a JSON
 * body, the Idempotency-Key header with its 422, and If-Match with its 412/428 for changes.
 */
import { ref, type Schema } from './schemas.js';

export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 422 | 428 | 429 | 500 | 503;

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
  requestBody?: {
    schema: Schema;
    description?: string;
    example?: unknown;
    /** The body may be left out. */
    optional?: boolean;
    /** Media types besides application/json (any +json type is accepted as JSON). */
    alsoAs?: string[];
  };
  /** Takes Idempotency-Key: a repeat answers as the first time did; a key reused with another body is a 422. */
  idempotent?: boolean;
  /** Changes an existing resource: needs If-Match with its ETag (428 without, 412 when stale). */
  ifMatch?: boolean;
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
  412: 'PreconditionFailed',
  413: 'ContentTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableContent',
  428: 'PreconditionRequired',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'StoreUnavailable',
};

export const responseRef = (name: string): Schema => ({ $ref: `#/components/responses/${name}` });
export const headerRef = (name: string): Schema => ({ $ref: `#/components/headers/${name}` });
export const parameterRef = (name: string): Schema => ({ $ref: `#/components/parameters/${name}` });

/** A JSON response; every response carries X-Request-Id. */
export const jsonResponse = (
  description: string,
  schema: Schema,
  extra: { headers?: Record<string, Schema>; example?: unknown } = {},
): ResponseObject => ({
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
export const createdResponse = (
  description: string,
  key: string,
  entity: string,
  extra: { example?: unknown; headers?: Record<string, Schema> } = {},
): ResponseObject =>
  jsonResponse(description, wrapped(key, entity), {
    headers: { Location: headerRef('Location'), 'Idempotent-Replayed': headerRef('Idempotent-Replayed'), ...extra.headers },
    ...(extra.example === undefined ? {} : { example: extra.example }),
  });

export const operation = (spec: OperationSpec): Schema => {
  const errors = new Set<ErrorStatus>(spec.errors ?? []);
  const lines: string[] = [];
  if (spec.description) lines.push(spec.description);
  if (spec.access === 'public') {
    lines.push('**Authentication:** none.');
  } else {
    // Every authenticated route reads or writes a store, which may be briefly unreachable.
    errors.add(401).add(403).add(503);
    const who = spec.access.token === 'platform' ? 'a platform token (not bound to a workspace)' : "a token of the path's workspace";
    lines.push(
      `**Authentication:** ${who}. **Permission:** ${spec.access.permission ? `\`${spec.access.permission}\`` : 'none beyond the workspace'}.`,
    );
  }
  if (spec.requestBody) errors.add(400).add(413).add(415);
  if (spec.idempotent) errors.add(422);
  if (spec.ifMatch) errors.add(412).add(428);
  // Every route counts against the rate limits (per address, then per token subject), but the probes.
  if (spec.operationId !== 'health' && spec.operationId !== 'readiness') errors.add(429);
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
    parameters: [
      ...(spec.parameters ?? []),
      ...(spec.ifMatch ? [parameterRef('If-Match')] : []),
      ...(spec.idempotent ? [parameterRef('Idempotency-Key')] : []),
      parameterRef('X-Request-Id'),
      parameterRef('X-Correlation-Id'),
    ],
    ...(spec.requestBody ? { requestBody: requestBodyObject(spec.requestBody) } : {}),
    responses,
  };
};

const requestBodyObject = (body: NonNullable<OperationSpec['requestBody']>): Schema => {
  const media = { schema: body.schema, ...(body.example === undefined ? {} : { example: body.example }) };
  return {
    required: !body.optional,
    ...(body.description ? { description: body.description } : {}),
    content: Object.fromEntries(['application/json', ...(body.alsoAs ?? [])].map((type) => [type, media])),
  };
};

/** A 304 to a conditional GET: no body, the ETag it matched. */
export const notModifiedResponse = (): ResponseObject => ({
  description: 'Not Modified: If-None-Match names the current ETag (or `*`).',
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ETag: headerRef('ETag') },
});

const problemResponse = (description: string, headers: Record<string, Schema> = {}): ResponseObject => ({
  description,
  headers: { 'X-Request-Id': headerRef('X-Request-Id'), ...headers },
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

export const components = {
  responses: {
    BadRequest: problemResponse(
      'The request is malformed: `errors` lists every failing field (body fields, query parameters, Idempotency-Key).',
    ),
    Unauthorized: problemResponse('No token, or one that does not verify (signature, expiry, issuer, audience).', {
      'WWW-Authenticate': { required: true, schema: { type: 'string', pattern: '^Bearer' } },
    }),
    Forbidden: problemResponse("The token lacks the permission, or may not act in the path's workspace."),
    NotFound: problemResponse('The resource, or something the request names (in `errors`), does not exist in this workspace.'),
    Conflict: problemResponse(
      "A concurrent request changed the resource first (retrying is safe), or the resource's state does not allow this change.",
    ),
    PreconditionFailed: problemResponse(
      'If-Match names a version the resource is no longer at: `currentVersion` and the ETag header give the current one.',
      {
        ETag: { $ref: '#/components/headers/ETag' },
      },
    ),
    PreconditionRequired: problemResponse('A change to an existing resource needs If-Match with the ETag you read.'),
    ContentTooLarge: problemResponse('The body is larger than BODY_LIMIT.'),
    UnsupportedMediaType: problemResponse('The body is not application/json.'),
    UnprocessableContent: problemResponse(
      'Well-formed, but breaks a business rule (listed in `errors`), or reuses an Idempotency-Key with another body.',
    ),
    TooManyRequests: problemResponse('Rate limited: retry after the number of seconds in Retry-After.', {
      'Retry-After': { required: true, description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^\\d+$' } },
    }),
    InternalError: problemResponse('The server failed; the detail quotes the request id, nothing else.'),
    StoreUnavailable: problemResponse('A store does not answer right now; retry after the seconds in Retry-After.', {
      'Retry-After': { required: true, description: 'Seconds to wait before retrying.', schema: { type: 'string', pattern: '^\\d+$' } },
    }),
  },
  headers: {
    'X-Request-Id': {
      required: true,
      description: 'The request id: a sane incoming X-Request-Id is echoed, otherwise a new UUID.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9._:@-]{1,128}$' },
    },
    Location: { required: true, description: 'Path of the created resource.', schema: { type: 'string' } },
    ETag: {
      required: true,
      description: 'The version of the resource, e.g. `"3"`: send it back as If-Match to change it.',
      schema: { type: 'string', pattern: '^"\\d+"$' },
    },
    'Idempotent-Replayed': {
      description: 'Present (`true`) when this answers a repeat of an earlier request with the same Idempotency-Key.',
      schema: { type: 'string', enum: ['true'] },
    },
  },
  parameters: {
    'Idempotency-Key': {
      name: 'Idempotency-Key',
      in: 'header',
      description:
        'Makes the create safe to retry: a repeat with the same key and body answers the original 201 and appends nothing; the same key with another body is a 422.',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
    },
    'If-Match': {
      name: 'If-Match',
      in: 'header',
      required: true,
      description: 'The ETag of the resource as you last read it, e.g. `"3"`: without it a 428, when stale a 412.',
      schema: { type: 'string', pattern: '^"\\d{1,9}"$' },
    },
    'If-None-Match': {
      name: 'If-None-Match',
      in: 'header',
      description: 'ETags you hold (or `*`): when one is current, a 304 without a body.',
      schema: { type: 'string' },
    },
    'X-Request-Id': {
      name: 'X-Request-Id',
      in: 'header',
      description: 'Echoed when it is 1 to 128 of `A-Za-z0-9._:@-`; recorded on the events.',
      schema: { type: 'string' },
    },
    'X-Correlation-Id': {
      name: 'X-Correlation-Id',
      in: 'header',
      description: 'Recorded on the events (default: the request id).',
      schema: { type: 'string' },
    },
    workspaceId: {
      name: 'workspaceId',
      in: 'path',
      required: true,
      description: 'The workspace; the token must be bound to it.',
      schema: ref('ObjectId'),
    },
  },
  securitySchemes: {
    bearerAuth: {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description:
        'HS256 (JWT_SECRET) or RS256/ES256 (JWT_PUBLIC_KEY). Claims: sub, name?, permissions[], workspaceId (absent on platform tokens), exp.',
    },
    metricsToken: { type: 'http', scheme: 'bearer', description: 'The METRICS_TOKEN configured on the service (not a JWT).' },
  },
};

export const pathParameter = (name: string, description: string): Schema => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});

/**
 * A query parameter. Every list refuses a parameter it does not know, and one given twice (but
 * the audit log's `type`), with a 400 naming it.
 */
export const queryParameter = (name: string, description: string, schema: Schema, extra: { required?: boolean } = {}): Schema => ({
  name,
  in: 'query',
  ...(extra.required ? { required: true } : {}),
  description,
  schema,
});

/**
 * Checks HTTP exchanges against the OpenAPI document (src/http/openapi/), so the document cannot
 * drift from what the service does: test/support/http.ts runs every response through
 * `checkExchange`. An exchange fails when its path or method is not documented (except the
 * service's generic 401/404/405 problems for paths and methods that do not exist), when its status
 * or content type is not documented for the operation, when a required response header is
 * missing, when the body does not match the schema, or when a 2xx answered a request body the
 * document says is invalid. Schemas are compiled by Ajv (JSON Schema 2020-12, the dialect of
 * OpenAPI 3.1) with ajv-formats.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsPlugin from 'ajv-formats';
import { openApiDocument } from '../../src/http/openapi/document.js';

type Json = Record<string, unknown>;

export interface Exchange {
  method: string;
  /** Path with query string, as requested. */
  path: string;
  /** The JSON request body, when one was sent as JSON. */
  requestBody?: unknown;
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

export class ContractViolation extends Error {
  constructor(exchange: Pick<Exchange, 'method' | 'path' | 'status'>, problem: string, details?: string) {
    super(
      `OpenAPI contract: ${exchange.method} ${exchange.path} answered ${exchange.status}: ${problem}` +
        `${details ? `\n${details}` : ''}\n(the document is built in src/http/openapi/; add or fix the operation under ./paths/)`,
    );
    this.name = 'ContractViolation';
  }
}

const documentId = 'urn:sessions-service:openapi';
export const document = openApiDocument('test') as unknown as Json & { paths: Record<string, Json>; components: Json };

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
// ajv-formats is CommonJS with a default export; under NodeNext its default import is the module object.
const addFormats = ((addFormatsPlugin as unknown as { default?: typeof addFormatsPlugin }).default ?? addFormatsPlugin) as unknown as (
  a: Ajv2020,
) => void;
addFormats(ajv);
// The document's own keywords, so that Ajv (strict) accepts it as the root the $refs resolve in.
ajv.addVocabulary([
  'openapi',
  'info',
  'jsonSchemaDialect',
  'servers',
  'paths',
  'webhooks',
  'components',
  'security',
  'tags',
  'externalDocs',
  // A schema extension of ours: the field's valid values are a list kept elsewhere (time zone names).
  'x-values',
]);
ajv.addSchema({ ...document, $id: documentId });

const escape = (segment: string): string => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const pointer = (...segments: string[]): string => `#/${segments.map(escape).join('/')}`;

const validators = new Map<string, ValidateFunction>();
/** The compiled schema at a JSON pointer of the document. */
export const schemaAt = (at: string): ValidateFunction => {
  let validate = validators.get(at);
  if (!validate) {
    validate = ajv.getSchema(`${documentId}${at}`);
    if (!validate) throw new Error(`no schema at ${at}`);
    validators.set(at, validate);
  }
  return validate;
};

/** Follows a `$ref` to components (responses, headers, parameters), returning the object and its pointer. */
const resolve = (value: Json, at: string): { value: Json; at: string } => {
  const target = value.$ref;
  if (typeof target !== 'string') return { value, at };
  if (!target.startsWith('#/')) throw new Error(`unsupported $ref ${target}`);
  let node: unknown = document;
  for (const part of target.slice(2).split('/')) node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (node === undefined) throw new Error(`dangling $ref ${target} at ${at}`);
  return resolve(node as Json, target);
};

const describeErrors = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? ''}${Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');

const templates = Object.keys(document.paths).map((template) => {
  const names: string[] = [];
  const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([^}]+)\\?\}/g, (_m, name: string) => {
    names.push(name);
    return '([^/]+)';
  });
  return { template, regex: new RegExp(`^${source}$`), literal: names.length === 0 };
});

/** The documented path template a request path falls under (a literal path wins over a template). */
export const matchPath = (pathname: string): string | undefined =>
  templates.filter((t) => t.regex.test(pathname)).sort((a, b) => Number(b.literal) - Number(a.literal))[0]?.template;

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** What the service answers for a path or a method it does not have: documented once, in info.description. */
const checkGenericProblem = (exchange: Exchange, allowed: number[], what: string): void => {
  if (!allowed.includes(exchange.status)) {
    throw new ContractViolation(exchange, what);
  }
  checkBody(exchange, '#/components/responses/NotFound/content/application~1problem+json/schema');
};

const mediaType = (headers: Headers): string | undefined => headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();

const checkBody = (exchange: Exchange, at: string): void => {
  const validate = schemaAt(at);
  if (!validate(exchange.body)) {
    throw new ContractViolation(
      exchange,
      `the body does not match ${at}`,
      `${describeErrors(validate.errors)}\n  body: ${exchange.text.slice(0, 600)}`,
    );
  }
};

/**
 * The value a query parameter's schema validates: the strings as sent, read as the parameter's
 * type says (a repeated parameter as an array, `5` as an integer, `true` as a boolean).
 */
export const queryValue = (schema: Json, values: readonly string[]): unknown => {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type];
  if (types.includes('array')) return [...values];
  if (values.length !== 1) return [...values];
  const value = values[0]!;
  if (types.includes('integer') && /^-?\d+$/.test(value)) return Number(value);
  if (types.includes('boolean') && (value === 'true' || value === 'false')) return value === 'true';
  return value;
};

const checkQuery = (exchange: Exchange, operation: Json, operationAt: string): void => {
  const search = new URL(exchange.path, 'http://service.test').searchParams;
  const parameters = (operation.parameters ?? []) as Json[];
  for (const name of new Set(search.keys())) {
    const index = parameters.findIndex((p) => p.in === 'query' && p.name === name);
    if (index < 0)
      throw new ContractViolation(exchange, `the service accepted the query parameter ${name}, which the document does not list`);
    const at = `${operationAt}/parameters/${index}/schema`;
    const validate = schemaAt(at);
    const value = queryValue(parameters[index]!.schema as Json, search.getAll(name));
    if (!validate(value)) {
      throw new ContractViolation(
        exchange,
        `the service accepted ${name}=${JSON.stringify(value)}, which ${at} rejects`,
        describeErrors(validate.errors),
      );
    }
  }
};

export const checkExchange = (exchange: Exchange): void => {
  const pathname = new URL(exchange.path, 'http://service.test').pathname;
  const template = matchPath(pathname);
  if (!template) {
    checkGenericProblem(exchange, [401, 404], `no path of the OpenAPI document matches ${pathname}`);
    return;
  }
  const method = exchange.method.toLowerCase() === 'head' ? 'get' : exchange.method.toLowerCase();
  const pathItem = document.paths[template]!;
  const operation = methods.includes(method) ? (pathItem[method] as Json | undefined) : undefined;
  if (!operation) {
    checkGenericProblem(exchange, [401, 405], `${exchange.method} ${template} is not in the OpenAPI document`);
    return;
  }
  const operationAt = pointer('paths', template, method);
  const responses = operation.responses as Record<string, Json>;
  const key = [String(exchange.status), `${String(exchange.status)[0]}XX`, 'default'].find((k) => responses[k] !== undefined);
  if (!key) {
    throw new ContractViolation(
      exchange,
      `status ${exchange.status} is not documented for ${method.toUpperCase()} ${template} (documented: ${Object.keys(responses).join(', ')})`,
    );
  }
  const { value: response, at: responseAt } = resolve(responses[key]!, `${operationAt}/responses/${key}`);

  for (const [name, header] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
    const { value: spec, at: headerAt } = resolve(header, `${responseAt}/headers/${escape(name)}`);
    const actual = exchange.headers.get(name);
    if (actual === null) {
      if (spec.required === true) throw new ContractViolation(exchange, `the required header ${name} is missing`);
      continue;
    }
    const validate = schemaAt(`${headerAt}/schema`);
    // A plain boolean: as a type guard for `unknown`, the call would leave `actual` typed never below.
    const matches: boolean = validate(actual);
    if (!matches)
      throw new ContractViolation(
        exchange,
        `the header ${name}: ${actual} does not match ${headerAt}/schema`,
        describeErrors(validate.errors),
      );
  }

  const content = response.content as Record<string, Json> | undefined;
  const type = mediaType(exchange.headers);
  if (!content) {
    if (exchange.text !== '')
      throw new ContractViolation(exchange, `the document says this response has no body, but it has one (${type ?? 'no type'})`);
  } else if (exchange.method.toUpperCase() !== 'HEAD') {
    if (!type || !content[type]) {
      throw new ContractViolation(
        exchange,
        `content type ${type ?? '(none)'} is not documented (documented: ${Object.keys(content).join(', ')})`,
      );
    }
    checkBody(exchange, `${responseAt}/content/${escape(type)}/schema`);
  }

  // A request the service accepted must be one the document calls valid: its query, then its body.
  if (exchange.status >= 200 && exchange.status < 300) checkQuery(exchange, operation, operationAt);
  const requestBody = operation.requestBody as Json | undefined;
  if (exchange.status >= 200 && exchange.status < 300 && requestBody && exchange.requestBody !== undefined) {
    const at = `${operationAt}/requestBody/content/application~1json/schema`;
    const validate = schemaAt(at);
    if (!validate(exchange.requestBody)) {
      throw new ContractViolation(exchange, `the service accepted a request body that ${at} rejects`, describeErrors(validate.errors));
    }
  }
};

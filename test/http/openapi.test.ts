import fs from 'node:fs';
import type Router from '@koa/router';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { createCatalog, platformToken, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { checkExchange, ContractViolation, document, matchPath, queryValue, schemaAt } from '../support/openapi.js';
import {
  boundarySamples,
  checkedViolations,
  deref,
  objectViolations,
  validSample,
  valueViolations,
  type Violation,
} from '../support/openapiSamples.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { createSession, sessionBody, sessionsPath } from './helpers.js';

type Json = Record<string, unknown>;
const methods = ['get', 'put', 'post', 'delete', 'patch'];
const operations = Object.entries(document.paths).flatMap(([path, item]) =>
  methods.filter((m) => item[m]).map((method) => ({ path, method, operation: item[method] as Json })),
);

/** Every route the app's routers serve, as OpenAPI `METHOD /path/{param}`. */
const servedRoutes = (app: TestApp): string[] => {
  const routes = new Set<string>();
  for (const middleware of app.running.app.middleware as (((...args: never[]) => unknown) & { router?: Router })[]) {
    for (const layer of middleware.router?.stack ?? []) {
      const path = String(layer.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      for (const method of layer.methods) if (method !== 'HEAD') routes.add(`${method} ${path}`);
    }
  }
  return [...routes].sort();
};

const exchange = (overrides: Partial<Parameters<typeof checkExchange>[0]> & { body?: unknown } = {}) => {
  const body = overrides.body ?? { status: 'ok', checks: {} };
  return {
    method: 'GET',
    path: '/healthz',
    status: 200,
    headers: new Headers({ 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'r-1' }),
    text: JSON.stringify(body),
    ...overrides,
    body,
  };
};

describe('the OpenAPI document', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    // With a metrics token the app serves every documented route, /metrics included.
    app = await startTestApp({ env: { METRICS_TOKEN: 'openapi-test-metrics-token-0123456789abcdef' } });
    c = await createCatalog(app);
  });
  after(async () => app.destroy());

  it('is served at GET /openapi.json without a token, and validates as OpenAPI 3.1', async () => {
    const reply = await request(app.url, 'GET', '/openapi.json');
    expect(reply.status).to.equal(200);
    expect(reply.headers.get('content-type')).to.match(/^application\/json/);
    expect(reply.body.openapi).to.equal('3.1.0');
    const validator = new Validator();
    const result = await validator.validate(reply.body);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).to.deep.equal([]);
    expect(result.valid).to.equal(true);
    expect(validator.version).to.equal('3.1');
  });

  it('documents exactly the routes the app serves', () => {
    const documented = operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort();
    expect(servedRoutes(app)).to.deep.equal(documented);
  });

  it("is the route table of README.md, route for route (README's {a,b} and :param spelled out)", () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('## What it does'), readme.indexOf('The contract of Create Session'));
    const spellOut = (path: string): string[] => {
      const choice = /\{([^}]*,[^}]*)\}/.exec(path);
      return choice ? choice[1]!.split(',').flatMap((option) => spellOut(path.replace(choice[0], option))) : [path];
    };
    const listed = [...table.matchAll(/^\| `([A-Z]+) ([^`?]+)[^`]*`/gm)].flatMap(([, method, path]) =>
      spellOut(path!).map((p) => `${method!} ${p.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    expect(listed.sort()).to.deep.equal(operations.map((o) => `${o.method.toUpperCase()} ${o.path}`).sort());
  });

  it('names the permission of each route as the route enforces it: a token with every other permission gets 403', async () => {
    const permissioned = operations.filter((o) => typeof o.operation['x-permission'] === 'string');
    expect(permissioned.length).to.be.greaterThan(8);
    const all = [...new Set(permissioned.map((o) => o.operation['x-permission'] as string))];
    for (const { path, method, operation } of permissioned) {
      const permission = operation['x-permission'] as string;
      const platform = path === '/v1/workspaces';
      const token = app.token({
        sub: 'permission-check',
        permissions: all.filter((p) => p !== permission),
        ...(platform ? {} : { workspaceId: c.workspaceId }),
      });
      const concrete = path.replace('{workspaceId}', c.workspaceId).replace(/\{[A-Za-z]+\}/g, 'aaaaaaaaaaaaaaaaaaaaaaaa');
      const reply = await request(app.url, method.toUpperCase(), concrete, { token, ...(operation.requestBody ? { body: {} } : {}) });
      expect(reply.status, `${method.toUpperCase()} ${path}`).to.equal(403);
      expect(reply.body.detail, `${method.toUpperCase()} ${path}`).to.include(permission);
    }
  });

  it('carries the seed examples of Create Session, and every example matches its schema', () => {
    const create = (document.paths['/v1/workspace/{workspaceId}/sessions'] as Json).post as Json;
    const body = ((create.requestBody as Json).content as Json)['application/json'] as Json;
    expect(body.example).to.deep.include({ name: 'Consultation Session', startTime: '10:00', durationMinutes: 90 });
    const created = ((create.responses as Json)['201'] as Json).content as Json;
    expect(((created['application/json'] as Json).example as { session: Json }).session).to.include({
      endTime: '11:30',
      staffName: 'Dr. Smith',
    });

    let checked = 0;
    const visit = (node: unknown, at: string): void => {
      if (node === null || typeof node !== 'object') return;
      const record = node as Json;
      if ('schema' in record && 'example' in record) {
        const validate = schemaAt(`${at}/schema`);
        expect(validate(record.example), `${at}: ${JSON.stringify(validate.errors)}`).to.equal(true);
        checked += 1;
      }
      for (const [key, child] of Object.entries(record)) visit(child, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    };
    visit(document.paths, '#/paths');
    expect(checked).to.be.greaterThan(5);
  });

  it('validates a real create and read (the hook in test/support/http.ts checks every reply)', async () => {
    const created = await request(app.url, 'POST', sessionsPath(c), {
      token: c.token,
      body: sessionBody(c),
      headers: { 'idempotency-key': 'openapi-1' },
    });
    expect(created.status).to.equal(201);
    const replay = await request(app.url, 'POST', sessionsPath(c), {
      token: c.token,
      body: sessionBody(c),
      headers: { 'idempotency-key': 'openapi-1' },
    });
    expect(replay.headers.get('idempotent-replayed')).to.equal('true');
    expect((await request(app.url, 'HEAD', `${sessionsPath(c)}/${created.body.session.id as string}`, { token: c.token })).status).to.equal(
      200,
    );
  });
});

describe('checking a response against the OpenAPI document', () => {
  const violation = (candidate: Parameters<typeof checkExchange>[0]): string => {
    try {
      checkExchange(candidate);
    } catch (error) {
      expect(error).to.be.instanceOf(ContractViolation);
      return (error as Error).message;
    }
    throw new Error('expected a contract violation');
  };

  it('accepts a documented response', () => {
    expect(() => {
      checkExchange(exchange());
    }).to.not.throw();
  });

  it('matches literal paths before templates, and paths with query strings', () => {
    expect(matchPath('/v1/workspaces')).to.equal('/v1/workspaces');
    expect(matchPath('/v1/workspace/abc/sessions/def/history')).to.equal('/v1/workspace/{workspaceId}/sessions/{sessionId}/history');
    expect(matchPath('/v1/workspace/abc/sessions/def/history/x')).to.equal(undefined);
  });

  it('names a path that is missing from the document', () => {
    expect(violation(exchange({ path: '/v1/workspace/abc/sessions/def/notes', status: 200 }))).to.match(
      /GET \/v1\/workspace\/abc\/sessions\/def\/notes answered 200: no path of the OpenAPI document matches .*src\/http\/openapi/s,
    );
  });

  it('names a method that is missing from a documented path', () => {
    expect(violation(exchange({ method: 'PUT', path: '/v1/workspace/abc/sessions/def', status: 200 }))).to.include(
      'PUT /v1/workspace/{workspaceId}/sessions/{sessionId} is not in the OpenAPI document',
    );
  });

  it('names an undocumented status, listing the documented ones', () => {
    expect(violation(exchange({ status: 418 }))).to.match(/status 418 is not documented for GET \/healthz \(documented: 200, 500, 503\)/);
  });

  it('rejects an undocumented content type', () => {
    expect(violation(exchange({ headers: new Headers({ 'content-type': 'text/html', 'x-request-id': 'r' }) }))).to.include(
      'content type text/html is not documented',
    );
  });

  it('rejects a body with a property the schema does not list, saying where', () => {
    expect(violation(exchange({ body: { status: 'ok', checks: {}, extra: 1 } }))).to.match(
      /does not match .*must NOT have additional properties.*"additionalProperty":"extra"/s,
    );
  });

  it('rejects a response without a required header', () => {
    expect(violation(exchange({ headers: new Headers({ 'content-type': 'application/json' }) }))).to.include(
      'the required header X-Request-Id is missing',
    );
  });

  it('rejects a 2xx for a request body the document calls invalid', () => {
    const session = { session: {} };
    expect(
      violation({
        method: 'POST',
        path: '/v1/workspaces',
        requestBody: { name: 'x', colour: 'blue' },
        status: 201,
        headers: new Headers({ 'content-type': 'application/json', 'x-request-id': 'r', location: '/v1/workspace/x', etag: '"1"' }),
        body: {
          workspace: {
            id: 'aaaaaaaaaaaaaaaaaaaaaaaa',
            name: 'x',
            timeZone: 'UTC',
            version: 1,
            createdAt: '2024-01-01T00:00:00.000Z',
            updatedAt: '2024-01-01T00:00:00.000Z',
          },
        },
        text: JSON.stringify(session),
      }),
    ).to.include('the service accepted a request body that');
  });

  it('accepts the generic problems for unknown paths and methods, but nothing else there', () => {
    const problem = { type: '/problems/not-found', title: 'Not Found', status: 404, detail: 'No route.', instance: '/x', requestId: 'r' };
    const headers = new Headers({ 'content-type': 'application/problem+json', 'x-request-id': 'r' });
    expect(() => {
      checkExchange({ method: 'GET', path: '/nothing', status: 404, headers, body: problem, text: JSON.stringify(problem) });
    }).to.not.throw();
    expect(violation({ method: 'GET', path: '/nothing', status: 404, headers, body: { ...problem, stack: 'x' }, text: '{}' })).to.include(
      'does not match',
    );
  });
});

const pointer = (...segments: string[]): string => `#/${segments.map((s) => s.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;

/** The 400 names the field: itself, or the object or array that holds it (a nested unknown property is reported on its object). */
const namesField = (reply: Reply, path: string): boolean =>
  ((reply.body?.errors ?? []) as { path: string }[]).some(
    (e) => e.path === path || (e.path !== '' && (path.startsWith(`${e.path}.`) || path.startsWith(`${e.path}[`))),
  );

describe('the request bodies and query parameters the OpenAPI document states', function () {
  this.timeout(120_000);
  let app: TestApp;
  let c: Catalog;
  let sessionId: string;

  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    sessionId = (await createSession(app, c)).body.session.id as string;
  });
  after(async () => app.destroy());

  const concrete = (template: string): string => {
    const ids: Record<string, string> = { clients: c.clientId, services: c.consultationId, staff: c.staffId };
    return template
      .replace('{workspaceId}', c.workspaceId)
      .replace(/\/(clients|services|staff)\/\{id\}/, (_m, collection: string) => `/${collection}/${ids[collection]!}`)
      .replace('{sessionId}', sessionId)
      .replace('{staffId}', c.staffId);
  };
  const tokenFor = (template: string): string => (template === '/v1/workspaces' ? platformToken(app) : c.token);
  const parametersOf = (operation: Json): Json[] => (operation.parameters ?? []) as Json[];
  const takesIfMatch = (operation: Json): boolean => parametersOf(operation).some((p) => p.$ref === '#/components/parameters/If-Match');

  /** The current ETag of what a change names (the resource itself, or the one an action acts on). */
  const currentEtag = async (path: string): Promise<string> => {
    const resource = path.replace(/\/(archive|unarchive|start|complete|cancel)$/, '');
    const reply = await request(app.url, 'GET', resource, { token: c.token });
    return reply.headers.get('etag') ?? '"1"';
  };

  const bodied = operations.filter((o) => o.operation.requestBody);
  const queried = operations.filter((o) => parametersOf(o.operation).some((p) => p.in === 'query'));

  it('states a request body for every POST and PATCH, and query parameters for every list', () => {
    expect(bodied.map((o) => `${o.method} ${o.path}`)).to.have.length(operations.filter((o) => o.method !== 'get').length);
    expect(queried.length).to.be.greaterThanOrEqual(6);
  });

  it('accepts every body built from the examples: all fields, and the required ones only (no 400, no 422)', async () => {
    let sent = 0;
    for (const { path, method, operation } of bodied) {
      const schema = ((operation.requestBody as Json).content as Record<string, Json>)['application/json']!.schema as Json;
      for (const mode of ['all', 'required'] as const) {
        const body = validSample(schema, mode);
        const concretePath = concrete(path);
        const headers = takesIfMatch(operation) ? { 'if-match': await currentEtag(concretePath) } : undefined;
        const reply = await request(app.url, method.toUpperCase(), concretePath, {
          token: tokenFor(path),
          body,
          ...(headers ? { headers } : {}),
        });
        expect([400, 422], `${method.toUpperCase()} ${path} (${mode}) ${JSON.stringify(body)}: ${reply.text}`).not.to.include(reply.status);
        sent += 1;
      }
    }
    expect(sent).to.equal(bodied.length * 2);
  });

  it('accepts a body with any one field at a bound the document states (longest text, most elements, lowest and highest number)', async () => {
    const failures: string[] = [];
    let sent = 0;
    for (const { path, method, operation } of bodied) {
      const at = pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema');
      const schema = ((operation.requestBody as Json).content as Record<string, Json>)['application/json']!.schema as Json;
      for (const sample of boundarySamples(at, schema)) {
        const concretePath = concrete(path);
        const headers = takesIfMatch(operation) ? { 'if-match': await currentEtag(concretePath) } : undefined;
        const reply = await request(app.url, method.toUpperCase(), concretePath, {
          token: tokenFor(path),
          body: sample.value,
          ...(headers ? { headers } : {}),
        });
        sent += 1;
        if (reply.status === 400 || reply.status === 422)
          failures.push(`${method.toUpperCase()} ${path} ${sample.label}: ${reply.text.slice(0, 300)}`);
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(sent).to.be.greaterThan(20);
  });

  it('refuses, with a 400 naming the field, a body breaking any one constraint the document states', async () => {
    let sent = 0;
    const failures: string[] = [];
    for (const { path, method, operation } of bodied) {
      const at = pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema');
      const schema = ((operation.requestBody as Json).content as Record<string, Json>)['application/json']!.schema as Json;
      const { violations, unsampled } = checkedViolations(at, objectViolations(schema));
      expect(unsampled, `${method.toUpperCase()} ${path}: constraints no sample breaks alone`).to.deep.equal([]);
      for (const violation of violations) {
        const reply = await request(app.url, method.toUpperCase(), concrete(path), {
          token: tokenFor(path),
          body: violation.value,
          headers: { 'if-match': '"1"' },
        });
        sent += 1;
        if (
          reply.status !== 400 ||
          !(namesField(reply, violation.path) || (violation.or !== undefined && namesField(reply, violation.or)))
        ) {
          failures.push(
            `${method.toUpperCase()} ${path} ${violation.label}: ${JSON.stringify(violation.value).slice(0, 200)} answered ${reply.status} ${reply.text.slice(0, 300)}`,
          );
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(sent).to.be.greaterThan(300);
  });

  /** A query of every parameter that has an example, as `[name, values]`. */
  const exampleQuery = (operation: Json): [string, string[]][] =>
    parametersOf(operation)
      .filter((p) => p.in === 'query' && Array.isArray(deref(p.schema as Json).examples))
      .map((p) => {
        const value = validSample(p.schema as Json);
        return [p.name as string, (Array.isArray(value) ? value : [value]).map(String)];
      });
  const queryString = (entries: [string, string[]][]): string => {
    const search = new URLSearchParams();
    for (const [name, values] of entries) for (const value of values) search.append(name, value);
    const text = search.toString();
    return text === '' ? '' : `?${text}`;
  };

  it('answers 200 to a query of every parameter with its example', async () => {
    for (const { path, operation } of queried) {
      const reply = await request(app.url, 'GET', `${concrete(path)}${queryString(exampleQuery(operation))}`, { token: c.token });
      expect(reply.status, `GET ${path}: ${reply.text}`).to.equal(200);
    }
  });

  it('refuses, with a 400 naming the parameter, a query breaking any one constraint the document states, an unknown parameter or one given twice', async () => {
    let sent = 0;
    const failures: string[] = [];
    for (const { path, method, operation } of queried) {
      const base = exampleQuery(operation);
      const cases: Violation[] = [{ label: 'unknown parameter', value: [['unknownParameter', ['1']]], path: 'unknownParameter' }];
      parametersOf(operation).forEach((parameter, index) => {
        if (parameter.in !== 'query') return;
        const name = parameter.name as string;
        const schema = deref(parameter.schema as Json);
        const others = base.filter(([n]) => n !== name);
        if (parameter.required === true) cases.push({ label: `required ${name}`, value: others, path: name });
        const candidates = valueViolations(schema, '')
          // Every query value is a string: a wrong JSON type cannot be sent, only text its type does not read.
          .filter((v) => v.keyword !== 'type' || (v.path === '' && (schema.type === 'integer' || schema.type === 'boolean')))
          .filter((v) => (v.value !== null && typeof v.value !== 'object') || Array.isArray(v.value))
          .map((v) => ({ ...v, value: (Array.isArray(v.value) ? v.value : [v.value]).map(String) }));
        const example = base.find(([n]) => n === name)?.[1];
        if (example && !schema.type?.toString().includes('array'))
          candidates.push({ keyword: 'type', label: `given twice ${name}`, value: [example[0]!, example[0]!], path: '' });
        const at = pointer('paths', path, method, 'parameters', String(index), 'schema');
        const { violations, unsampled } = checkedViolations(at, candidates, { wrap: (v) => queryValue(schema, v as string[]) });
        expect(unsampled, `GET ${path} ${name}: constraints no sample breaks alone`).to.deep.equal([]);
        for (const v of violations)
          cases.push({ label: `${name}: ${v.label}`, value: [...others, [name, v.value as string[]]], path: name });
      });
      for (const testCase of cases) {
        const query = queryString(testCase.value as [string, string[]][]);
        const reply = await request(app.url, 'GET', `${concrete(path)}${query}`, { token: c.token });
        sent += 1;
        if (reply.status !== 400 || !namesField(reply, testCase.path)) {
          failures.push(`GET ${path} ${testCase.label}: ${query.slice(0, 200)} answered ${reply.status} ${reply.text.slice(0, 300)}`);
        }
      }
    }
    expect(failures, failures.join('\n')).to.deep.equal([]);
    expect(sent).to.be.greaterThan(50);
  });
});

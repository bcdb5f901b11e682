import type Router from '@koa/router';
import { Validator } from '@seriousme/openapi-schema-validator';
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { checkExchange, ContractViolation, document, matchPath, schemaAt } from '../support/openapi.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { sessionBody, sessionsPath } from './helpers.js';

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

/**
 * Property-based fuzzing over every route (fast-check): random and malformed methods, paths,
 * headers and bodies never give a 5xx, every error is application/problem+json with its status in
 * the body, and a rejected request appends nothing. The run count is modest to keep `npm test`
 * short; FUZZ_RUNS=5000 runs more, FUZZ_SEED replays a failure.
 */
import zlib from 'node:zlib';
import { expect } from 'chai';
import fc from 'fast-check';
import { createCatalog, platformToken, type Catalog } from '../support/catalog.js';
import { rawRequest } from '../support/rawHttp.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { sessionBody } from './helpers.js';

const runs = Number(process.env.FUZZ_RUNS ?? 250);

describe('fuzzing every route (fast-check)', () => {
  let app: TestApp;
  let c: Catalog;
  let other: Catalog;
  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    other = await createCatalog(app, 'Other Clinic');
  });
  after(async () => app.destroy());

  it(`never answers a 5xx or a non-problem error, and appends nothing for a rejected request (${runs} runs)`, async function () {
    this.timeout(150_000);
    const templates = [
      '/healthz',
      '/v1/workspaces',
      '/v1/workspace/:ws',
      '/v1/workspace/:ws/clients',
      '/v1/workspace/:ws/clients/:id',
      '/v1/workspace/:ws/services',
      '/v1/workspace/:ws/services/:id',
      '/v1/workspace/:ws/staff',
      '/v1/workspace/:ws/staff/:id',
      '/v1/workspace/:ws/sessions',
      '/v1/workspace/:ws/sessions/:id',
      '/v1/workspace/:ws/sessions/:id/history',
      '/v1/workspace/:ws/audit',
      '/v1/unknown',
      '/',
    ];
    const segment = fc.oneof(
      fc.constant(c.workspaceId),
      fc.constant(other.workspaceId),
      fc.constant(c.clientId),
      fc.constant(c.consultationId),
      fc.constant('0'.repeat(24)),
      fc.string({ maxLength: 40 }).map(encodeURIComponent),
      fc.constantFrom('%00', '%ff', '%2e%2e', '..', '%', '%zz', '~', 'a'.repeat(3000)),
    );
    const query = fc.oneof(
      fc.constant(''),
      fc
        .dictionary(fc.constantFrom('type', 'limit', 'cursor', 'from', 'to', 'actorId', 'x'), fc.string({ maxLength: 30 }), { maxKeys: 3 })
        .map((q) => `?${new URLSearchParams(q).toString()}`),
      fc.constantFrom('?limit=0', '?limit=99999', '?cursor=%ff', '?type=__proto__', '?from=2024-02-30'),
    );
    const path = fc
      .tuple(fc.constantFrom(...templates), segment, segment, query)
      .map(([template, ws, id, q]) => template.replace(':ws', ws).replace(':id', id) + q);

    const validBodies = () => [
      sessionBody(c),
      { name: 'Fuzz Clinic' },
      { name: 'Fuzz Client', email: 'fuzz@example.com' },
      { name: 'Fuzz Service', scope: 'sessions', durationMinutes: 30 },
    ];
    const jsonish = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc.string({ unit: 'binary', maxLength: 50 }),
      fc.constantFrom(null, 0, -1, 1e308, '', [], {}),
    );
    const mutated = fc
      .tuple(
        fc.constantFrom(...validBodies()),
        fc.constantFrom(
          'name',
          'clientId',
          'serviceIds',
          'date',
          'startTime',
          'durationMinutes',
          'fieldValues',
          'email',
          'scope',
          'status',
          '__proto__',
          'constructor',
        ),
        jsonish,
      )
      .map(([body, key, value]) => JSON.stringify({ ...body, [key]: value }));
    const body = fc.oneof(
      { weight: 3, arbitrary: mutated },
      { weight: 1, arbitrary: fc.constantFrom(...validBodies()).map((b) => JSON.stringify(b)) },
      { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
      { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          '',
          '{',
          '{"a":',
          '[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]',
          '{"name":"\\ud800"}',
          '{"name":"a\\u0000"}',
          '\ufeff{}',
        ),
      },
    );
    const token = fc.oneof(
      fc.constant(c.token),
      fc.constant(platformToken(app)),
      fc.constant(app.token({ sub: 'reader', workspaceId: c.workspaceId, permissions: ['sessions.read'] })),
      fc.constant(app.token({ sub: 'expired', workspaceId: c.workspaceId, permissions: [] }, -10)),
      fc.constant(undefined),
      fc.string({ minLength: 1, maxLength: 60 }).map((s) => s.replace(/[^\x21-\x7e]/g, 'x')),
    );
    const headerValue = fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x20-\x7e]/g, ''));
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'TRACE', 'PROPFIND'),
      path,
      token,
      secondToken: fc.boolean(),
      contentType: fc.constantFrom(
        undefined,
        'application/json',
        'application/json',
        'application/json; charset=utf-8',
        'application/problem+json',
        'text/plain',
        'application/json; charset=latin1',
        'multipart/form-data',
      ),
      encoding: fc.constantFrom(undefined, undefined, undefined, 'gzip', 'br', 'deflate', 'gzip-but-plain', 'zstd', 'identity'),
      idempotencyKey: fc.option(headerValue, { nil: undefined }),
      requestId: fc.option(headerValue, { nil: undefined }),
      body: fc.option(body, { nil: undefined, freq: 5 }),
    });

    const seed = process.env.FUZZ_SEED === undefined ? {} : { seed: Number(process.env.FUZZ_SEED) };
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: [string, string][] = [];
        if (r.token !== undefined) headers.push(['authorization', `Bearer ${r.token}`]);
        if (r.token !== undefined && r.secondToken) headers.push(['authorization', `Bearer ${c.token}`]);
        if (r.contentType) headers.push(['content-type', r.contentType]);
        if (r.idempotencyKey !== undefined) headers.push(['idempotency-key', r.idempotencyKey]);
        if (r.requestId !== undefined) headers.push(['x-request-id', r.requestId]);
        let payload: Buffer | undefined = r.body === undefined ? undefined : Buffer.from(r.body, 'utf8');
        if (payload && r.encoding) {
          headers.push(['content-encoding', r.encoding === 'gzip-but-plain' ? 'gzip' : r.encoding]);
          if (r.encoding === 'gzip') payload = zlib.gzipSync(payload);
          if (r.encoding === 'br') payload = zlib.brotliCompressSync(payload);
          if (r.encoding === 'deflate') payload = zlib.deflateSync(payload);
        }
        const before = await app.head();
        const reply = await rawRequest(app.url, { method: r.method, path: r.path, headers, ...(payload ? { body: payload } : {}) });
        const label = `${r.method} ${r.path} -> ${reply.status} ${reply.text.slice(0, 300)}`;
        expect(reply.status, label).to.be.below(500);
        if (reply.status >= 400) {
          if (r.method !== 'HEAD') {
            expect(reply.headers.get('content-type'), label).to.match(/^application\/problem\+json/);
            expect(reply.body.status, label).to.equal(reply.status);
            expect(reply.body.detail, label).to.be.a('string');
          }
          expect(await app.head(), `a rejected request appended: ${label}`).to.equal(before);
        }
      }),
      { numRuns: runs, ...seed },
    );
  });
});

import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectProblem, expectRejected, sessionBody, sessionsPath, uuidPattern } from './helpers.js';

describe('health, request ids and unknown routes', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
  });
  after(async () => app.destroy());

  it('answers GET /healthz with 200 {status: "ok"} without a token', async () => {
    const reply = await request(app.url, 'GET', '/healthz');
    expect(reply.status).to.equal(200);
    expect(reply.body.status).to.equal('ok');
    expect(reply.headers.get('x-request-id')).to.match(uuidPattern);
  });

  it('echoes a sane X-Request-Id and replaces an unsafe or over-long one', async () => {
    expect(
      (await request(app.url, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123_x.y:z@w' } })).headers.get('x-request-id'),
    ).to.equal('abc-123_x.y:z@w');
    for (const bad of ['has space', '<script>', 'x'.repeat(129)]) {
      expect((await request(app.url, 'GET', '/healthz', { headers: { 'x-request-id': bad } })).headers.get('x-request-id')).to.match(
        uuidPattern,
      );
    }
  });

  it('carries X-Request-Id on errors, with the same id in the problem body', async () => {
    const reply = await request(app.url, 'POST', sessionsPath(c), { body: sessionBody(c), headers: { 'x-request-id': 'trace-401' } });
    expectProblem(reply, 401);
    expect(reply.headers.get('x-request-id')).to.equal('trace-401');
    expect(reply.body.requestId).to.equal('trace-401');
  });

  it('answers 404 problem+json for an unknown route (after authentication)', async () => {
    await expectRejected(app, 'GET', '/v1/nothing-here', { token: c.token }, 404);
    await expectRejected(app, 'GET', '/v1/nothing-here', {}, 401);
  });

  it('answers 405 problem+json for a method a route does not have', async () => {
    await expectRejected(app, 'DELETE', sessionsPath(c), { token: c.token }, 405);
  });
});

describe('when the store stops answering', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    await app.running.stores.close();
  });
  after(async () => app.destroy());

  it('answers /healthz with 503', async () => {
    const reply = await request(app.url, 'GET', '/healthz');
    expect(reply.status).to.equal(503);
    expect(reply.body.status).to.not.equal('ok');
  });

  it('answers a create with a 500 problem that leaks no message or stack, quoting the request id', async () => {
    const reply = await request(app.url, 'POST', sessionsPath(c), {
      token: c.token,
      body: sessionBody(c),
      headers: { 'x-request-id': 'trace-500' },
    });
    expectProblem(reply, 500);
    expect(reply.body.detail).to.include('trace-500');
    expect(reply.text).to.not.match(/database|sqlite|stack|TypeError|at .*\.ts/i);
    expect(reply.body).to.not.have.property('stack');
    expect(reply.body).to.not.have.property('errors');
  });
});

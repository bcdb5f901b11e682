import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectRejected, sessionBody, sessionsPath } from './helpers.js';

/** A JSON object of exactly `bytes` bytes whose only field is an over-long name (a 400 when parsed). */
const jsonOfSize = (bytes: number): string => {
  const wrapper = JSON.stringify({ name: '' });
  return JSON.stringify({ name: 'x'.repeat(bytes - wrapper.length) });
};

describe('request bodies: size, media type and syntax', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  const json = { 'content-type': 'application/json' };

  describe('413 over the default limit of 1 MiB', () => {
    it('rejects a body one byte over 1 MiB', async () => {
      const rawBody = jsonOfSize(1024 * 1024 + 1);
      expect(Buffer.byteLength(rawBody)).to.equal(1024 * 1024 + 1);
      const reply = await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody, headers: json }, 413);
      expect(reply.body.detail).to.include(String(1024 * 1024));
    });

    it('parses a body of exactly 1 MiB (then validates it: 400, not 413)', async () => {
      const rawBody = jsonOfSize(1024 * 1024);
      await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody, headers: json }, 400);
    });

    it('applies the limit to catalog routes too', async () => {
      await expectRejected(
        app,
        'POST',
        `/v1/workspace/${c.workspaceId}/clients`,
        { token: c.token, rawBody: jsonOfSize(2 * 1024 * 1024), headers: json },
        413,
      );
    });
  });

  describe('415 for a body that is not JSON', () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      it(`rejects Content-Type ${contentType}`, async () => {
        await expectRejected(
          app,
          'POST',
          sessionsPath(c),
          { token: c.token, rawBody: JSON.stringify(sessionBody(c)), headers: { 'content-type': contentType } },
          415,
        );
      });
    }

    it('rejects a body sent without a Content-Type', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody: Buffer.from(JSON.stringify(sessionBody(c))) }, 415);
    });
  });

  describe('accepted JSON media types', () => {
    it('accepts application/json with a charset parameter', async () => {
      const reply = await request(app.url, 'POST', sessionsPath(c), {
        token: c.token,
        rawBody: JSON.stringify(sessionBody(c)),
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      expect(reply.status, reply.text).to.equal(201);
    });

    it('parses a +json media type instead of treating the body as empty', async () => {
      const reply = await request(app.url, 'POST', sessionsPath(c), {
        token: c.token,
        rawBody: JSON.stringify(sessionBody(c)),
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      expect(reply.status, reply.text).to.equal(201);
    });
  });

  describe('400 for a body that is not a JSON object', () => {
    for (const rawBody of ['{"name": ', '{name: "x"}', "{'name': 'x'}", 'undefined', '{"a":1}}']) {
      it(`rejects the malformed JSON ${JSON.stringify(rawBody)}`, async () => {
        await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody, headers: json }, 400, {
          errors: [{ path: '', message: 'must be valid JSON' }],
        });
      });
    }

    it('rejects an empty body', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody: '', headers: json }, 400);
      await expectRejected(app, 'POST', sessionsPath(c), { token: c.token }, 400);
    });

    it('rejects JSON values that are not objects', async () => {
      for (const rawBody of ['[]', '[{"name":"x"}]', '"text"', '42', 'true', 'null']) {
        await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody, headers: json }, 400, {
          errors: [{ path: '', message: 'must be a JSON object' }],
        });
      }
    });

    it('rejects a body that tries to set __proto__ or constructor', async () => {
      for (const extra of ['"__proto__":{"admin":true},', '"constructor":{"prototype":{"admin":true}},']) {
        const rawBody = JSON.stringify(sessionBody(c)).replace(/^\{/, `{${extra}`);
        const reply = await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody, headers: json }, 400);
        // `__proto__` is refused by the parser; `constructor` is an ordinary unknown property.
        expect(reply.body.errors[0].message).to.match(extra.includes('__proto__') ? /__proto__/ : /not an allowed property/);
      }
      expect(({} as Record<string, unknown>).admin).to.equal(undefined);
    });

    it('reads the body as UTF-8 (Arabic text arrives intact)', async () => {
      const reply = await request(app.url, 'POST', sessionsPath(c), {
        token: c.token,
        rawBody: Buffer.from(JSON.stringify(sessionBody(c, { name: 'جلسة' })), 'utf8'),
        headers: json,
      });
      expect(reply.status, reply.text).to.equal(201);
      expect(reply.body.session.name).to.equal('جلسة');
    });
  });
});

describe('request bodies with BODY_LIMIT=2kb', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp({ env: { BODY_LIMIT: '2kb' } });
    c = await createCatalog(app);
  });
  after(async () => app.destroy());

  it('rejects a body of 2049 bytes with 413 and parses one of 2048 bytes', async () => {
    const headers = { 'content-type': 'application/json' };
    await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody: jsonOfSize(2049), headers }, 413);
    await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody: jsonOfSize(2048), headers }, 400, {
      paths: ['name', 'clientId', 'serviceIds', 'date', 'startTime'],
    });
  });

  it('still accepts an ordinary session', async () => {
    const reply = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body: sessionBody(c) });
    expect(reply.status, reply.text).to.equal(201);
  });
});

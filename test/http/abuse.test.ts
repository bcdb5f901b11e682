/**
 * Issue 12, "holding up under abuse": one describe per finding that the HTTP layer answers
 * (oversized arrays and strings, content encodings, methods, exact text, idempotency scope,
 * headers). Each asserts the answer, that nothing was appended, and what was stored.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import zlib from 'node:zlib';
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { rawRequest } from '../support/rawHttp.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { eventsAfter, expectProblem, expectRejected, sessionBody, sessionsPath, storedSession } from './helpers.js';

const objectId = (i: number): string => i.toString(16).padStart(24, '0');

let day = 0;
/** A session body in a slot of its own (no staff, a fresh day), so the no-double-booking rule stays out of the way. */
const inFreeSlot = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  staffId: null,
  date: new Date(Date.UTC(2031, 0, 1) + day++ * 86_400_000).toISOString().slice(0, 10),
  ...overrides,
});

describe('holding up under abuse (issue 12)', () => {
  let app: TestApp;
  let c: Catalog;
  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
  });
  after(async () => app.destroy());

  const json = { 'content-type': 'application/json' };
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    expectRejected(
      app,
      'POST',
      sessionsPath(c),
      { token: c.token, rawBody: typeof body === 'string' ? body : JSON.stringify(body), headers: { ...json, ...headers } },
      400,
    );

  describe('finding 1: an array of 250,000 serviceIds (1 MB)', () => {
    it('is a 400 naming serviceIds once, with a small body, refused before the body is parsed', async () => {
      const serviceIds = Array.from({ length: 250_000 }, () => 'x');
      const rawBody = JSON.stringify(sessionBody(c, { serviceIds }));
      expect(rawBody.length).to.be.lessThan(1024 * 1024);
      const reply = await post(rawBody);
      expect(reply.body.errors).to.deep.equal([{ path: 'serviceIds', message: 'must have at most 1000 elements' }]);
      expect(reply.text.length).to.be.lessThan(2000);
    });

    it('answers 30,000 ids of the right shape (0.8 MB) the same way, and names a nested array by its path', async () => {
      const reply = await post(sessionBody(c, { serviceIds: Array.from({ length: 30_000 }, (_, i) => objectId(i)) }));
      expect(reply.body.errors).to.deep.equal([{ path: 'serviceIds', message: 'must have at most 1000 elements' }]);
      expect(reply.text.length).to.be.lessThan(2000);
      const nested = await post(
        sessionBody(c, {
          fieldValues: [
            { fieldKey: 'a', value: 1 },
            { fieldKey: 'b', value: Array(5000).fill(0) },
          ],
        }),
      );
      expect(nested.body.errors).to.deep.equal([{ path: 'fieldValues[1].value', message: 'must have at most 1000 elements' }]);
      const keys = await post(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])));
      expect(keys.body.errors).to.deep.equal([{ path: '', message: 'must have at most 1000 properties' }]);
    });

    it('checks the schema limit (50 services) before any element, still listing the other invalid fields', async () => {
      const reply = await post(sessionBody(c, { serviceIds: Array.from({ length: 900 }, () => 1), startTime: '25:00', extra: true }));
      expectProblem(reply, 400, { paths: ['serviceIds', 'startTime', 'extra'] });
      expect(reply.body.errors[1]).to.deep.equal({ path: 'serviceIds', message: 'must list at most 50 services' });
    });

    it('lists at most 100 problems and says how many more there are', async () => {
      const fieldValues = Array.from({ length: 100 }, (_, i) => ({ fieldKey: `not valid ${i}`, value: [1], phase: 7 }));
      const reply = await post(sessionBody(c, { fieldValues, serviceIds: Array.from({ length: 50 }, (_, i) => `bad-${i}`) }));
      expect(reply.body.errors).to.have.length(100);
      expect(reply.body.errorsNotListed).to.equal(250);
      expect(reply.body.detail).to.include('350 problems');
    });

    it('refuses a body nested deeper than 16 levels before parsing it', async () => {
      const deep = '['.repeat(200_000) + ']'.repeat(200_000);
      const reply = await post(`{"name":"x","fieldValues":${deep}}`);
      expect(reply.body.errors).to.deep.equal([{ path: `fieldValues${'[0]'.repeat(15)}`, message: 'must nest at most 16 levels deep' }]);
      // Brackets inside strings are text, not nesting.
      const created = await request(app.url, 'POST', sessionsPath(c), {
        token: c.token,
        body: sessionBody(c, inFreeSlot({ name: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' })),
      });
      expect(created.status, created.text).to.equal(201);
    });
  });

  describe('finding 6: a 1 MB name', () => {
    it('is a 400 naming the field, refused before the body is parsed', async () => {
      const reply = await post(sessionBody(c, { name: 'n'.repeat(1_000_000) }));
      expect(reply.body.errors).to.deep.equal([{ path: 'name', message: 'must be at most 65536 bytes of JSON text' }]);
      const key = await post({ ['k'.repeat(70_000)]: 1 });
      expect(key.body.errors).to.deep.equal([{ path: '', message: 'must not have a property name longer than 65536 bytes' }]);
    });

    it('checks a name of 50,000 characters against its limit without counting its code points', async () => {
      const reply = await post(sessionBody(c, { name: 'n'.repeat(50_000) }));
      expect(reply.body.errors).to.deep.equal([{ path: 'name', message: 'must be 1 to 200 characters after trimming' }]);
    });

    it('bounds every free string of a session the same way (fieldValues, ids, date)', async () => {
      const big = 'z'.repeat(60_000);
      const reply = await post(sessionBody(c, { clientId: big, date: big, fieldValues: [{ fieldKey: big, value: big }] }));
      expectProblem(reply, 400, { paths: ['clientId', 'date', 'fieldValues[0].fieldKey', 'fieldValues[0].value'] });
    });

    it('bounds catalog fields too (client email, service scope, workspace time zone)', async () => {
      const big = 'a'.repeat(60_000);
      const base = `/v1/workspace/${c.workspaceId}`;
      await expectRejected(app, 'POST', `${base}/clients`, { token: c.token, body: { name: 'A', email: `${big}@example.com` } }, 400, {
        errors: [{ path: 'email', message: 'must be at most 320 characters' }],
      });
      await expectRejected(app, 'POST', `${base}/services`, { token: c.token, body: { name: big, scope: big } }, 400, {
        paths: ['name', 'scope'],
      });
    });
  });

  describe('finding 2: Content-Encoding', () => {
    const body = (): Buffer => Buffer.from(JSON.stringify(sessionBody(c, inFreeSlot({ name: `Encoded ${randomUUID()}` }))));
    const encoded: Record<string, (b: Buffer) => Buffer> = { gzip: zlib.gzipSync, deflate: zlib.deflateSync, br: zlib.brotliCompressSync };

    for (const [encoding, compress] of Object.entries(encoded)) {
      it(`accepts a ${encoding} body and stores what it decompresses to`, async () => {
        const plain = body();
        const reply = await request(app.url, 'POST', sessionsPath(c), {
          token: c.token,
          rawBody: compress(plain),
          headers: { ...json, 'content-encoding': encoding },
        });
        expect(reply.status, reply.text).to.equal(201);
        const stored = await storedSession(app, c.workspaceId, reply.body.session.id);
        expect(stored!.name).to.equal(JSON.parse(plain.toString()).name);
      });

      it(`answers 400, not 500, for a body labelled ${encoding} that is not compressed`, async () => {
        const reply = await expectRejected(
          app,
          'POST',
          sessionsPath(c),
          { token: c.token, rawBody: body(), headers: { ...json, 'content-encoding': encoding } },
          400,
        );
        expect(reply.body.detail).to.include(encoding);
      });
    }

    it('applies the body limit to the inflated size (a gzip bomb is a 413)', async () => {
      const bomb = zlib.gzipSync(Buffer.from(`{"name":"${' '.repeat(20 * 1024 * 1024)}"}`));
      expect(bomb.length).to.be.lessThan(64 * 1024);
      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        { token: c.token, rawBody: bomb, headers: { ...json, 'content-encoding': 'gzip' } },
        413,
      );
    });

    it('answers 415 for an encoding it does not know', async () => {
      for (const encoding of ['compress', 'zstd', 'gzip, br', '__proto__']) {
        await expectRejected(
          app,
          'POST',
          sessionsPath(c),
          { token: c.token, rawBody: body(), headers: { ...json, 'content-encoding': encoding } },
          415,
        );
      }
    });

    it('answers 415 for JSON declared in a charset other than UTF-8', async () => {
      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        { token: c.token, rawBody: body(), headers: { 'content-type': 'application/json; charset=iso-8859-1' } },
        415,
      );
    });
  });

  describe('finding 7: methods, unknown paths and what Node refuses itself', () => {
    for (const method of ['TRACE', 'PROPFIND', 'DELETE', 'PUT', 'PATCH']) {
      it(`answers ${method} on a known path with 405 problem+json and Allow`, async () => {
        const reply = await rawRequest(app.url, { method, path: '/v1/workspaces', headers: [['authorization', `Bearer ${c.token}`]] });
        expectProblem(reply, 405);
        expect(reply.headers.get('allow')).to.equal('OPTIONS, POST');
      });
    }

    it('lists GET and HEAD for a read route, and answers OPTIONS with 204 and Allow', async () => {
      const path = `${sessionsPath(c)}/${objectId(1)}/history`;
      const reply = await rawRequest(app.url, { method: 'PROPFIND', path, headers: [['authorization', `Bearer ${c.token}`]] });
      expectProblem(reply, 405);
      expect(reply.headers.get('allow')).to.equal('GET, HEAD, OPTIONS');
      const options = await rawRequest(app.url, { method: 'OPTIONS', path, headers: [['authorization', `Bearer ${c.token}`]] });
      expect(options.status).to.equal(204);
      expect(options.headers.get('allow')).to.equal('GET, HEAD, OPTIONS');
    });

    it('answers TRACE on an unknown path with a 404 problem', async () => {
      const reply = await rawRequest(app.url, { method: 'TRACE', path: '/v1/nothing', headers: [['authorization', `Bearer ${c.token}`]] });
      expectProblem(reply, 404);
    });

    it('answers over-long headers with a 431 problem written by the server', async () => {
      const reply = await rawRequest(app.url, { method: 'GET', path: '/healthz', headers: [['x-padding', 'p'.repeat(20 * 1024)]] });
      expect(reply.status).to.equal(431);
      expect(reply.headers.get('content-type')).to.equal('application/problem+json');
      expect(reply.body.status).to.equal(431);
      expect(reply.body.detail).to.be.a('string').and.not.equal('');
    });

    it('answers a malformed request line with a 400 problem written by the server', async () => {
      const target = new URL(app.url);
      const text = await new Promise<string>((resolve, reject) => {
        const socket = new net.Socket();
        let received = '';
        socket.connect(Number(target.port), target.hostname, () =>
          socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n'),
        );
        socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
        socket.on('close', () => {
          resolve(received);
        });
        socket.on('error', reject);
      });
      expect(text).to.match(/^HTTP\/1\.1 400 /);
      expect(text).to.include('Content-Type: application/problem+json');
      expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).status).to.equal(400);
    });
  });

  describe('finding 8: exact text', () => {
    it('answers 400 for a body that is not valid UTF-8, storing nothing', async () => {
      const valid = Buffer.from(JSON.stringify(sessionBody(c, { name: 'Café NAME' })));
      const at = valid.indexOf('NAME');
      const invalidUtf8 = Buffer.concat([valid.subarray(0, at), Buffer.from([0xc3, 0x28]), valid.subarray(at + 4)]);
      const sent = await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, rawBody: invalidUtf8, headers: json }, 400);
      expect(sent.body.errors).to.deep.equal([{ path: '', message: 'must be valid UTF-8' }]);
    });

    it('answers 400 naming the field for a lone surrogate, a NUL or a control character in a name', async () => {
      for (const name of ['\\ud800 alone', 'nul\\u0000here', 'bell\\u0007', 'line\\nbreak']) {
        const rawBody = JSON.stringify(sessionBody(c)).replace('"Consultation Session"', `"${name}"`);
        const reply = await post(rawBody);
        expect(reply.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['name']);
      }
      const client = `/v1/workspace/${c.workspaceId}/clients`;
      await expectRejected(app, 'POST', client, { token: c.token, rawBody: '{"name":"A\\udc00B"}', headers: json }, 400, {
        paths: ['name'],
      });
    });

    it('answers 400 for a lone surrogate in a field value, naming its path', async () => {
      const rawBody = JSON.stringify(sessionBody(c, { fieldValues: [{ fieldKey: 'note', value: 'VALUE' }] })).replace(
        '"VALUE"',
        '"\\udfff"',
      );
      const reply = await post(rawBody);
      expect(reply.body.errors).to.deep.equal([
        { path: 'fieldValues[0].value', message: 'must be well-formed Unicode text (no lone surrogates, no NUL characters)' },
      ]);
    });

    it('answers 400 for a cancellation note with a control character, and keeps tabs and line breaks', async () => {
      const created = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body: sessionBody(c, inFreeSlot()) });
      expect(created.status, created.text).to.equal(201);
      const cancel = `${sessionsPath(c)}/${created.body.session.id}/cancel`;
      await expectRejected(
        app,
        'POST',
        cancel,
        { token: c.token, body: { reason: 'other', note: 'bell\u0007' }, headers: { 'if-match': '"1"' } },
        400,
        { paths: ['note'] },
      );
      await expectRejected(
        app,
        'POST',
        cancel,
        { token: c.token, body: { reason: 'other', note: 'x'.repeat(5000) }, headers: { 'if-match': '"1"' } },
        400,
        {
          errors: [{ path: 'note', message: 'must be at most 500 characters' }],
        },
      );
      const ok = await request(app.url, 'POST', cancel, {
        token: c.token,
        body: { reason: 'other', note: 'Line one\n\tLine two' },
        headers: { 'if-match': '"1"' },
      });
      expect(ok.status, ok.text).to.be.oneOf([200, 201]);
      expect((await storedSession(app, c.workspaceId, created.body.session.id))!.cancellation).to.deep.include({
        note: 'Line one\n\tLine two',
      });
    });

    it('stores names in NFC, so the same name typed two ways is one name', async () => {
      const decomposed = 'Cafe\u0301 Séance';
      const reply = await request(app.url, 'POST', sessionsPath(c), {
        token: c.token,
        body: sessionBody(c, inFreeSlot({ name: decomposed })),
      });
      expect(reply.status, reply.text).to.equal(201);
      expect(reply.body.session.name).to.equal('Café Séance'.normalize('NFC'));
      const stored = await storedSession(app, c.workspaceId, reply.body.session.id);
      expect(stored!.name).to.equal(decomposed.normalize('NFC'));
      const events = await eventsAfter(app, null);
      const created = events.find((e) => e.streamId === `session-${reply.body.session.id}`)!;
      expect((created.data as { requested: { name: string } }).requested.name).to.equal(decomposed.normalize('NFC'));
    });
  });

  describe('finding 9: Idempotency-Key scope', () => {
    it("does not answer one user's key and body to another user, who gets a session of their own", async () => {
      const key = randomUUID();
      const body = sessionBody(c, inFreeSlot());
      const first = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body, headers: { 'idempotency-key': key } });
      expect(first.status, first.text).to.equal(201);
      const other = app.token({ sub: 'user-2', workspaceId: c.workspaceId, permissions: ['sessions.create'] });
      const head = await app.head();
      const second = await request(app.url, 'POST', sessionsPath(c), { token: other, body, headers: { 'idempotency-key': key } });
      expect(second.status, second.text).to.equal(201);
      expect(second.headers.get('idempotent-replayed')).to.equal(null);
      expect(second.body.session.id).to.not.equal(first.body.session.id);
      const appended = await eventsAfter(app, head);
      expect(appended.map((e) => [e.type, e.metadata.actor.userId])).to.deep.equal([['SessionCreated', 'user-2']]);
      // The first user's repeat is still a replay of their own session.
      const repeat = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body, headers: { 'idempotency-key': key } });
      expect(repeat.headers.get('idempotent-replayed')).to.equal('true');
      expect(repeat.body.session.id).to.equal(first.body.session.id);
    });
  });

  describe('finding 10 (headers): Authorization, nosniff, no-store', () => {
    it('answers two Authorization headers with 400, appending nothing', async () => {
      const before = await app.head();
      const reply = await rawRequest(app.url, {
        method: 'POST',
        path: sessionsPath(c),
        headers: [
          ['authorization', `Bearer ${c.token}`],
          ['authorization', 'Bearer other'],
          ['content-type', 'application/json'],
        ],
        body: Buffer.from(JSON.stringify(sessionBody(c))),
      });
      expectProblem(reply, 400, { errors: [{ path: 'Authorization', message: 'must be sent once' }] });
      expect(await app.head()).to.equal(before);
    });

    it('sends X-Content-Type-Options: nosniff and Cache-Control: no-store on every kind of answer', async () => {
      const replies = [
        await request(app.url, 'GET', '/healthz'),
        await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}`, { token: c.token }),
        await request(app.url, 'GET', '/v1/nothing'),
        await request(app.url, 'POST', sessionsPath(c), { token: c.token, body: {} }),
      ];
      for (const reply of replies) {
        expect(reply.headers.get('x-content-type-options'), String(reply.status)).to.equal('nosniff');
        expect(reply.headers.get('cache-control'), String(reply.status)).to.equal('no-store');
      }
    });
  });
});

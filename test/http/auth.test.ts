import { expect } from 'chai';
import { allPermissions } from '../../src/auth/tokens.js';
import { createCatalog, platformToken, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, testSecret, type TestApp } from '../support/testApp.js';
import { createSession, expectProblem, expectRejected, sessionBody, sessionsPath } from './helpers.js';
import { claims, ecKeyPair, es256, hs256, hs512, nowSeconds, rs256, rsaKeyPair, unsigned } from './tokens.js';

describe('authentication and permissions (HS256 secret)', () => {
  let app: TestApp;
  let c: Catalog;
  let other: Catalog;
  before(async () => {
    app = await startTestApp();
    other = await createCatalog(app, 'Other Clinic');
  });
  after(async () => app.destroy());
  beforeEach(async () => {
    c = await createCatalog(app);
  });

  const post = (headers: Record<string, string>, body: unknown = sessionBody(c)) => ({ headers, body });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const forC = (overrides: Record<string, unknown> = {}) => claims({ workspaceId: c.workspaceId, ...overrides });

  describe('401 with WWW-Authenticate: Bearer, nothing appended', () => {
    it('rejects a request without an Authorization header', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post({}), 401);
    });

    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer a b', 'Token abc.def.ghi', 'Bearer\tabc', 'abc.def.ghi']) {
      it(`rejects the malformed Authorization header ${JSON.stringify(header)}`, async () => {
        await expectRejected(app, 'POST', sessionsPath(c), post({ authorization: header }), 401);
      });
    }

    it('rejects a token that is not a JWT', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer('abc.def.ghi')), 401);
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer('not-a-token')), 401);
    });

    it('rejects a token signed with another secret', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC(), 'another-secret-that-is-also-long-enough-0123'))), 401);
    });

    it('rejects a token whose payload was altered after signing', async () => {
      const [header, , signature] = hs256(forC(), testSecret).split('.');
      const forged = Buffer.from(JSON.stringify(forC({ permissions: allPermissions }))).toString('base64url');
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(`${header}.${forged}.${signature}`)), 401);
    });

    it('rejects an expired token', async () => {
      const reply = await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        post(bearer(hs256(forC({ exp: nowSeconds() - 60 }), testSecret))),
        401,
      );
      expect(reply.body.detail).to.match(/expired/i);
    });

    it('rejects a token that is not valid yet (nbf in the future)', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC({ nbf: nowSeconds() + 600 }), testSecret))), 401);
    });

    it('rejects an unsigned token (alg: none)', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(unsigned(forC()))), 401);
    });

    it('rejects a token without exp', async () => {
      const noExp = forC();
      delete noExp.exp;
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(noExp, testSecret))), 401);
    });

    it('rejects a token without sub, or with an empty or non-string sub', async () => {
      const noSub = forC();
      delete noSub.sub;
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(noSub, testSecret))), 401);
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC({ sub: '' }), testSecret))), 401);
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC({ sub: 42 }), testSecret))), 401);
    });

    it('rejects a token without a permissions array of strings', async () => {
      const noPermissions = forC();
      delete noPermissions.permissions;
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(noPermissions, testSecret))), 401);
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC({ permissions: 'sessions.create' }), testSecret))), 401);
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC({ permissions: [1, 2] }), testSecret))), 401);
    });

    it('rejects a token whose workspaceId claim is not a string', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs256(forC({ workspaceId: [c.workspaceId] }), testSecret))), 401);
    });

    it('rejects an HS512 token signed with the right secret (only HS256 is accepted)', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(hs512(forC(), testSecret))), 401);
    });

    it('rejects an RS256 token when only an HS256 secret is configured', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), post(bearer(rs256(forC(), rsaKeyPair().privateKey))), 401);
    });

    it('protects GETs and catalog routes too', async () => {
      for (const path of [
        `/v1/workspace/${c.workspaceId}`,
        `/v1/workspace/${c.workspaceId}/clients/${c.clientId}`,
        `${sessionsPath(c)}/${'f'.repeat(24)}`,
      ]) {
        await expectRejected(app, 'GET', path, {}, 401);
      }
      await expectRejected(app, 'POST', '/v1/workspaces', { body: { name: 'Clinic' } }, 401);
    });
  });

  describe('accepted tokens', () => {
    it('accepts a valid HS256 token made by hand with the configured secret', async () => {
      await createSession(app, c, {}, { token: hs256(forC(), testSecret) });
    });

    it('accepts the scheme name in any case (RFC 9110: "bearer" is "Bearer")', async () => {
      const reply = await request(app.url, 'POST', sessionsPath(c), post({ authorization: `bearer ${c.token}` }));
      expect(reply.status, reply.text).to.equal(201);
    });
  });

  describe('403, nothing appended', () => {
    it('rejects a token without the required permission', async () => {
      const token = app.token({ sub: 'u', workspaceId: c.workspaceId, permissions: ['sessions.read', 'clients.create'] });
      const reply = await expectRejected(app, 'POST', sessionsPath(c), { token, body: sessionBody(c) }, 403);
      expect(reply.body.detail).to.include('sessions.create');
    });

    it('rejects a token of another workspace, even with every permission', async () => {
      await expectRejected(app, 'POST', sessionsPath(c), { token: other.token, body: sessionBody(c) }, 403);
    });

    it('rejects a platform token (no workspace) on a workspace route', async () => {
      const token = app.token({ sub: 'admin', permissions: allPermissions });
      await expectRejected(app, 'POST', sessionsPath(c), { token, body: sessionBody(c) }, 403);
      await expectRejected(app, 'GET', `/v1/workspace/${c.workspaceId}`, { token }, 403);
    });

    it('rejects a workspace token on POST /v1/workspaces, even with workspaces.create', async () => {
      const token = app.token({ sub: 'u', workspaceId: c.workspaceId, permissions: allPermissions });
      await expectRejected(app, 'POST', '/v1/workspaces', { token, body: { name: 'Sneaky' } }, 403);
    });

    it('rejects a platform token without workspaces.create on POST /v1/workspaces', async () => {
      const token = app.token({ sub: 'admin', permissions: ['sessions.create'] });
      await expectRejected(app, 'POST', '/v1/workspaces', { token, body: { name: 'Clinic' } }, 403);
    });

    it('needs the matching permission on every catalog route', async () => {
      const token = app.token({ sub: 'u', workspaceId: c.workspaceId, permissions: ['sessions.create', 'sessions.read'] });
      const base = `/v1/workspace/${c.workspaceId}`;
      await expectRejected(app, 'POST', `${base}/clients`, { token, body: { name: 'A' } }, 403);
      await expectRejected(app, 'POST', `${base}/services`, { token, body: { name: 'A', scope: 'sessions' } }, 403);
      await expectRejected(app, 'POST', `${base}/staff`, { token, body: { name: 'A' } }, 403);
      await expectRejected(app, 'GET', `${base}/clients/${c.clientId}`, { token }, 403);
      await expectRejected(app, 'GET', `${base}/services/${c.consultationId}`, { token }, 403);
      await expectRejected(app, 'GET', `${base}/staff/${c.staffId}`, { token }, 403);
      // Any token of the workspace may read the workspace itself.
      expect((await request(app.url, 'GET', base, { token })).status).to.equal(200);
    });
  });

  describe('the order 401 → 403 → 400 → 404 → 422', () => {
    it('answers each failure in turn as the request is fixed step by step', async () => {
      const broken = sessionBody(c, { clientId: 'f'.repeat(24), serviceIds: [c.productId], startTime: '25:00' });
      const noPermission = app.token({ sub: 'u', workspaceId: c.workspaceId, permissions: ['sessions.read'] });
      await expectRejected(app, 'POST', sessionsPath(c), { body: broken }, 401);
      await expectRejected(app, 'POST', sessionsPath(c), { token: hs256(forC({ exp: nowSeconds() - 1 }), testSecret), body: broken }, 401);
      await expectRejected(app, 'POST', sessionsPath(c), { token: noPermission, body: broken }, 403);
      await expectRejected(app, 'POST', sessionsPath(c), { token: other.token, body: broken }, 403);
      await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, body: broken }, 400, { paths: ['startTime'] });
      await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, body: { ...broken, startTime: '10:00' } }, 404, {
        paths: ['clientId'],
      });
      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        { token: c.token, body: { ...broken, startTime: '10:00', clientId: c.clientId } },
        422,
        {
          paths: ['serviceIds[0]'],
        },
      );
      await createSession(app, c, { serviceIds: [c.consultationId] });
    });

    it('answers 401 and 403 before 415 and 413', async () => {
      const big = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) });
      await expectRejected(app, 'POST', sessionsPath(c), { rawBody: 'hello', headers: { 'content-type': 'text/plain' } }, 401);
      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        { token: other.token, rawBody: 'hello', headers: { 'content-type': 'text/plain' } },
        403,
      );
      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        { token: other.token, rawBody: big, headers: { 'content-type': 'application/json' } },
        403,
      );
      await expectRejected(
        app,
        'POST',
        sessionsPath(c),
        { token: other.token, rawBody: '{not json', headers: { 'content-type': 'application/json' } },
        403,
      );
    });
  });
});

describe('authentication with an RS256 public key (JWT_PUBLIC_KEY)', () => {
  const rsa = rsaKeyPair();
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { JWT_SECRET: '', JWT_PUBLIC_KEY: rsa.publicKeyPem } });
  });
  after(async () => app.destroy());

  const platform = () => rs256(claims({ sub: 'platform-admin', permissions: ['workspaces.create'] }), rsa.privateKey);

  it('accepts RS256 tokens signed with the matching private key', async () => {
    const created = await request(app.url, 'POST', '/v1/workspaces', { token: platform(), body: { name: 'RSA Clinic' } });
    expect(created.status, created.text).to.equal(201);
    const workspaceId = created.body.workspace.id;
    const token = rs256(claims({ workspaceId, permissions: ['clients.create'] }), rsa.privateKey);
    const client = await request(app.url, 'POST', `/v1/workspace/${workspaceId}/clients`, { token, body: { name: 'Jane' } });
    expect(client.status, client.text).to.equal(201);
  });

  it('accepts the public key with escaped newlines (as env files carry it)', async () => {
    const escaped = await startTestApp({ env: { JWT_SECRET: '', JWT_PUBLIC_KEY: rsa.publicKeyPem.replace(/\n/g, '\\n') } });
    try {
      expect((await request(escaped.url, 'POST', '/v1/workspaces', { token: platform(), body: { name: 'Escaped' } })).status).to.equal(201);
    } finally {
      await escaped.destroy();
    }
  });

  it('rejects an HS256 token signed with the old shared secret', async () => {
    await expectRejected(
      app,
      'POST',
      '/v1/workspaces',
      { token: hs256(claims({ permissions: ['workspaces.create'] }), testSecret), body: { name: 'X' } },
      401,
    );
  });

  it('rejects an HS256 token signed with the public key as HMAC secret (algorithm confusion)', async () => {
    const token = hs256(claims({ permissions: ['workspaces.create'] }), rsa.publicKeyPem);
    await expectRejected(app, 'POST', '/v1/workspaces', { token, body: { name: 'X' } }, 401);
  });

  it('rejects an RS256 token signed with another private key', async () => {
    const token = rs256(claims({ permissions: ['workspaces.create'] }), rsaKeyPair().privateKey);
    await expectRejected(app, 'POST', '/v1/workspaces', { token, body: { name: 'X' } }, 401);
  });

  it('rejects an unsigned token and an expired RS256 token', async () => {
    await expectRejected(
      app,
      'POST',
      '/v1/workspaces',
      { token: unsigned(claims({ permissions: ['workspaces.create'] })), body: { name: 'X' } },
      401,
    );
    const expired = rs256(claims({ permissions: ['workspaces.create'], exp: nowSeconds() - 5 }), rsa.privateKey);
    await expectRejected(app, 'POST', '/v1/workspaces', { token: expired, body: { name: 'X' } }, 401);
  });

  it('rejects an ES256 token (only RS256 is accepted with an RSA key)', async () => {
    await expectRejected(
      app,
      'POST',
      '/v1/workspaces',
      { token: es256(claims({ permissions: ['workspaces.create'] }), ecKeyPair().privateKey), body: { name: 'X' } },
      401,
    );
  });
});

describe('authentication with an ES256 public key (JWT_PUBLIC_KEY)', () => {
  const ec = ecKeyPair();
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { JWT_SECRET: '', JWT_PUBLIC_KEY: ec.publicKeyPem } });
  });
  after(async () => app.destroy());

  it('accepts ES256 tokens and rejects RS256 and HS256 ones', async () => {
    const body = { name: 'EC Clinic' };
    const ok = await request(app.url, 'POST', '/v1/workspaces', {
      token: es256(claims({ permissions: ['workspaces.create'] }), ec.privateKey),
      body,
    });
    expect(ok.status, ok.text).to.equal(201);
    await expectRejected(
      app,
      'POST',
      '/v1/workspaces',
      { token: rs256(claims({ permissions: ['workspaces.create'] }), rsaKeyPair().privateKey), body },
      401,
    );
    await expectRejected(
      app,
      'POST',
      '/v1/workspaces',
      { token: hs256(claims({ permissions: ['workspaces.create'] }), ec.publicKeyPem), body },
      401,
    );
  });
});

describe('issuer and audience checks (JWT_ISSUER, JWT_AUDIENCE)', () => {
  const issuer = 'https://id.example.com/';
  const audience = 'sessions-api';
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ env: { JWT_ISSUER: issuer, JWT_AUDIENCE: audience } });
  });
  after(async () => app.destroy());

  const attempt = (extra: Record<string, unknown>) =>
    request(app.url, 'POST', '/v1/workspaces', {
      token: hs256(claims({ sub: 'admin', permissions: ['workspaces.create'], ...extra }), testSecret),
      body: { name: 'Clinic' },
    });

  it('accepts a token with the configured iss and aud (also aud as an array that contains it)', async () => {
    expect((await attempt({ iss: issuer, aud: audience })).status).to.equal(201);
    expect((await attempt({ iss: issuer, aud: ['other-api', audience] })).status).to.equal(201);
    // The test harness signs with the configured issuer and audience too.
    expect((await request(app.url, 'POST', '/v1/workspaces', { token: platformToken(app), body: { name: 'Clinic' } })).status).to.equal(
      201,
    );
  });

  for (const [label, extra] of [
    ['without iss', { aud: audience }],
    ['with another iss', { iss: 'https://evil.example.com/', aud: audience }],
    ['without aud', { iss: issuer }],
    ['with another aud', { iss: issuer, aud: 'billing-api' }],
  ] as [string, Record<string, unknown>][]) {
    it(`rejects a token ${label} with 401, appending nothing`, async () => {
      const before = await app.head();
      expectProblem(await attempt(extra), 401);
      expect(await app.head()).to.equal(before);
    });
  }
});

/** Hand-made JWTs for the auth tests: any header, any claims, any (or no) signature. */
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims of a valid token for one workspace, expiring in an hour. */
export const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  sub: 'user-1',
  name: 'Reception',
  permissions: ['sessions.create', 'sessions.read'],
  iat: nowSeconds(),
  exp: nowSeconds() + 3600,
  ...overrides,
});

const signed = (alg: string, payload: Record<string, unknown>, sign: (input: string) => Buffer): string => {
  const input = `${encode({ alg, typ: 'JWT' })}.${encode(payload)}`;
  return `${input}.${sign(input).toString('base64url')}`;
};

/** HS256 with any secret; the secret may be a PEM string (the classic RS/HS confusion attack). */
export const hs256 = (payload: Record<string, unknown>, secret: string | Buffer): string =>
  signed('HS256', payload, (input) => createHmac('sha256', secret).update(input).digest());

export const hs512 = (payload: Record<string, unknown>, secret: string): string =>
  signed('HS512', payload, (input) => createHmac('sha512', secret).update(input).digest());

export const rs256 = (payload: Record<string, unknown>, privateKey: KeyObject): string =>
  signed('RS256', payload, (input) => createSign('RSA-SHA256').update(input).sign(privateKey));

export const es256 = (payload: Record<string, unknown>, privateKey: KeyObject): string =>
  signed('ES256', payload, (input) => createSign('SHA256').update(input).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }));

/** `alg: none`, with an empty signature (as the attack sends it). */
export const unsigned = (payload: Record<string, unknown>): string => `${encode({ alg: 'none', typ: 'JWT' })}.${encode(payload)}.`;

export interface KeyPair {
  privateKey: KeyObject;
  publicKeyPem: string;
}

export const rsaKeyPair = (): KeyPair => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

export const ecKeyPair = (): KeyPair => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
};

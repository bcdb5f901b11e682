/** Assertions shared by the HTTP tests: problem bodies, "nothing was appended", session bodies. */
import { expect } from 'chai';
import type { Catalog } from '../support/catalog.js';
import { request, type Reply, type RequestOptions } from '../support/http.js';
import type { TestApp } from '../support/testApp.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';

export const objectIdPattern = /^[0-9a-f]{24}$/;
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const isoMillisPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export interface ProblemExpectation {
  /** The set of paths listed in `errors` (a path may carry several messages). */
  paths?: string[];
  /** The exact `errors`, order-insensitive. */
  errors?: { path: string; message: string }[];
  detailIncludes?: string[];
}

/** An RFC 9457 problem with the given status, and the listed failing fields when given. */
export const expectProblem = (reply: Reply, status: number, expected: ProblemExpectation = {}): void => {
  expect(reply.status, reply.text).to.equal(status);
  expect(reply.headers.get('content-type')).to.match(/^application\/problem\+json(;|$)/);
  expect(reply.headers.get('x-request-id')).to.be.a('string').and.not.equal('');
  const body = reply.body as Record<string, unknown>;
  expect(body.type).to.be.a('string').and.not.equal('');
  expect(body.title).to.be.a('string').and.not.equal('');
  expect(body.status).to.equal(status);
  expect(body.detail).to.be.a('string').and.not.equal('');
  if (body.errors !== undefined) {
    expect(body.errors).to.be.an('array');
    for (const e of body.errors as unknown[]) {
      expect(e).to.have.all.keys('path', 'message');
      expect((e as { message: unknown }).message)
        .to.be.a('string')
        .and.not.equal('');
    }
  }
  if (status === 401) expect(reply.headers.get('www-authenticate')).to.match(/^Bearer/);
  if (expected.paths) {
    const errors = (body.errors ?? []) as { path: string }[];
    expect([...new Set(errors.map((e) => e.path))].sort(), JSON.stringify(body.errors)).to.deep.equal([...expected.paths].sort());
  }
  if (expected.errors) {
    const sort = (list: { path: string; message: string }[]) =>
      [...list].sort((a, b) => `${a.path} ${a.message}`.localeCompare(`${b.path} ${b.message}`));
    expect(sort(body.errors as { path: string; message: string }[])).to.deep.equal(sort(expected.errors));
  }
  for (const part of expected.detailIncludes ?? []) expect(body.detail).to.include(part);
};

/** Events appended after `after` (the whole log when null). */
export const eventsAfter = async (app: TestApp, after: bigint | null): Promise<StoredEvent[]> => {
  const events: StoredEvent[] = [];
  for await (const event of app.running.stores.events.readAll(after === null ? {} : { after })) events.push(event);
  return events;
};

/**
 * Sends a request that must be rejected: asserts the status, the problem body, and that the
 * event store head did not move (nothing was appended).
 */
export const expectRejected = async (
  app: TestApp,
  method: string,
  path: string,
  options: RequestOptions,
  status: number,
  expected: ProblemExpectation = {},
): Promise<Reply> => {
  const before = await app.head();
  const reply = await request(app.url, method, path, options);
  expectProblem(reply, status, expected);
  expect(await app.head(), 'a rejected request must not append').to.equal(before);
  return reply;
};

/** A valid create-session body for the catalog (the seed example without durationMinutes). */
export const sessionBody = (c: Catalog, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'Consultation Session',
  clientId: c.clientId,
  serviceIds: [c.consultationId, c.checkupId],
  staffId: c.staffId,
  date: '2024-01-20T10:00:00Z',
  startTime: '10:00',
  ...overrides,
});

export const sessionsPath = (c: Catalog): string => `/v1/workspace/${c.workspaceId}/sessions`;

export const createSession = async (
  app: TestApp,
  c: Catalog,
  overrides: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<Reply> => {
  const reply = await request(app.url, 'POST', sessionsPath(c), { token: c.token, body: sessionBody(c, overrides), ...options });
  expect(reply.status, reply.text).to.equal(201);
  return reply;
};

/** Reads a session document straight from the read model (null when absent). */
export const storedSession = (app: TestApp, workspaceId: string, id: string) =>
  app.running.stores.readModel.find('sessions', workspaceId, id);

/**
 * What the load is made of: a workspace with 100 clients, 20 services and 10 staff created through
 * the HTTP API, workspace tokens for 10 users, and a generator of valid, distinct Create Session
 * bodies that vary the client, services, staff, date, start time and optional fields.
 */
import { allPermissions, signToken } from '../src/auth/tokens.js';
import type { JwtConfig } from '../src/config.js';

export const benchSecret = 'bench-secret-that-is-long-enough-for-hs256-0123456789';
export const benchJwt: JwtConfig = { secret: benchSecret, algorithms: ['HS256'], development: false };

export interface BenchCatalog {
  workspaceId: string;
  clientIds: string[];
  serviceIds: string[];
  staffIds: string[];
  /** Workspace tokens of 10 users, each with every permission; requests rotate through them. */
  tokens: string[];
}

export const catalogSize = { clients: 100, services: 20, staff: 10 } as const;

const post = async (url: string, token: string, body: unknown): Promise<Record<string, { id: string }>> => {
  const reply = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await reply.text();
  if (reply.status !== 201) throw new Error(`POST ${url} answered ${reply.status}: ${text}`);
  return JSON.parse(text) as Record<string, { id: string }>;
};

/** Durations in minutes of the 20 services (null: no duration; sums stay far below 1440). */
const serviceDurations = [30, 60, null, 45, 15, 90, 30, 20, 60, 0, 25, 40, 50, 10, 35, 55, 5, 75, 120, 30];

export const seedCatalog = async (baseUrl: string): Promise<BenchCatalog> => {
  const platform = signToken(benchJwt, { sub: 'bench-platform', permissions: ['workspaces.create'] }, '2h');
  const { workspace } = await post(`${baseUrl}/v1/workspaces`, platform, { name: 'Bench Clinic', timeZone: 'Europe/Berlin' });
  const workspaceId = workspace!.id;
  const tokens = Array.from({ length: 10 }, (_, i) =>
    signToken(benchJwt, { sub: `bench-user-${i}`, name: `Reception ${i}`, workspaceId, permissions: allPermissions }, '2h'),
  );
  const base = `${baseUrl}/v1/workspace/${workspaceId}`;
  const token = tokens[0]!;
  const all = async <T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> => {
    const out: T[] = [];
    // Ten at a time: fast, and the ids keep their order.
    for (let i = 0; i < count; i += 10)
      out.push(...(await Promise.all(Array.from({ length: Math.min(10, count - i) }, (_, j) => make(i + j)))));
    return out;
  };
  const clientIds = await all(
    catalogSize.clients,
    async (i) =>
      (await post(`${base}/clients`, token, { name: `Client ${i}`, email: `client${i}@example.com`, phone: `+49 30 ${1000 + i}` })).client!
        .id,
  );
  const serviceIds = await all(
    catalogSize.services,
    async (i) =>
      (
        await post(`${base}/services`, token, {
          name: i % 3 === 0 ? `خدمة ${i}` : `Service ${i}`,
          scope: 'sessions',
          ...(serviceDurations[i] === null ? {} : { durationMinutes: serviceDurations[i] }),
        })
      ).service!.id,
  );
  const staffIds = await all(catalogSize.staff, async (i) => (await post(`${base}/staff`, token, { name: `Staff ${i}` })).staff!.id);
  return { workspaceId, clientIds, serviceIds, staffIds, tokens };
};

export interface SessionBody {
  name: string;
  clientId: string;
  serviceIds: string[];
  staffId?: string | null;
  date: string;
  startTime: string;
  durationMinutes?: number;
  status?: 'scheduled' | 'in-progress' | 'completed' | 'cancelled';
  fieldValues?: { fieldKey: string; value: string | number | boolean | null; phase?: string }[];
}

const pad = (n: number): string => String(n).padStart(2, '0');
const dayMs = 86_400_000;
const firstDay = Date.UTC(2024, 0, 1);

/** The n-th body: deterministic, valid, and different from every other n. */
export const sessionBody = (catalog: BenchCatalog, n: number): SessionBody => {
  // A cheap integer hash so that neighbouring n do not share clients, services or dates.
  const h = Math.imul(n ^ (n >>> 15), 0x2c1b3c6d) >>> 0;
  const services = catalog.serviceIds;
  const count = 1 + (h % 3);
  const first = (h >>> 2) % services.length;
  const serviceIds = Array.from({ length: count }, (_, i) => services[(first + i * 7) % services.length]!);
  const day = new Date(firstDay + ((h >>> 4) % 730) * dayMs).toISOString().slice(0, 10);
  const body: SessionBody = {
    name: `Session ${n}`,
    clientId: catalog.clientIds[(h >>> 8) % catalog.clientIds.length]!,
    serviceIds,
    date: n % 2 === 0 ? day : `${day}T${pad((h >>> 3) % 24)}:${pad(h % 60)}:00Z`,
    startTime: `${pad(7 + ((h >>> 5) % 12))}:${pad(((h >>> 9) % 4) * 15)}`,
  };
  if (n % 5 !== 0) {
    // A staff member cannot be booked twice at once: every staffed body gets a slot of its own
    // (staff member n mod 10, a 6-hour slot counted from n), so the load is all 201s and every
    // create goes through the conflict check.
    const staff = n % catalog.staffIds.length;
    const slot = Math.floor(n / catalog.staffIds.length);
    body.staffId = catalog.staffIds[staff]!;
    body.date = new Date(firstDay + (Math.floor(slot / 4) % 36_500) * dayMs).toISOString().slice(0, 10);
    body.startTime = `${pad((slot % 4) * 6)}:${pad(((h >>> 9) % 4) * 15)}`;
  } else if (n % 10 === 0) body.staffId = null;
  if (n % 7 === 0) body.durationMinutes = 15 + (h % 8) * 15;
  if (n % 11 === 0) body.status = 'completed';
  if (n % 4 === 0) {
    body.fieldValues = [
      { fieldKey: 'reason', value: `Follow-up ${n}`, phase: 'pre' },
      { fieldKey: 'firstVisit', value: n % 8 === 0 },
    ];
  }
  return body;
};

/** Builds a fresh workspace with its catalog through the HTTP API, for tests that need one. */
import { allPermissions } from '../../src/auth/tokens.js';
import { request } from './http.js';
import type { TestApp } from './testApp.js';

export interface Catalog {
  workspaceId: string;
  /** Every permission, bound to the workspace. */
  token: string;
  clientId: string;
  clientName: string;
  /** 30 minutes, Arabic name. */
  consultationId: string;
  /** 60 minutes. */
  checkupId: string;
  /** No duration. */
  openEndedId: string;
  /** scope "products". */
  productId: string;
  staffId: string;
}

export const platformToken = (app: TestApp): string =>
  app.token({ sub: 'platform-admin', name: 'Platform Admin', permissions: ['workspaces.create'] });

const created = async (app: TestApp, token: string, path: string, body: unknown, key: string): Promise<string> => {
  const reply = await request(app.url, 'POST', path, { token, body });
  if (reply.status !== 201) throw new Error(`POST ${path} answered ${reply.status}: ${reply.text}`);
  return reply.body[key].id as string;
};

export const createCatalog = async (app: TestApp, name = 'Test Clinic', timeZone?: string): Promise<Catalog> => {
  const workspaceId = await created(app, platformToken(app), '/v1/workspaces', { name, ...(timeZone ? { timeZone } : {}) }, 'workspace');
  const token = app.token({ sub: 'user-1', name: 'Reception', workspaceId, permissions: allPermissions });
  const base = `/v1/workspace/${workspaceId}`;
  const clientName = 'John Doe';
  const [clientId, consultationId, checkupId, openEndedId, productId, staffId] = await Promise.all([
    created(app, token, `${base}/clients`, { name: clientName, email: 'john@example.com' }, 'client'),
    created(app, token, `${base}/services`, { name: 'استشارة طبية', scope: 'sessions', durationMinutes: 30 }, 'service'),
    created(app, token, `${base}/services`, { name: 'فحص عام', scope: 'sessions', durationMinutes: 60 }, 'service'),
    created(app, token, `${base}/services`, { name: 'Open-ended', scope: 'sessions' }, 'service'),
    created(app, token, `${base}/services`, { name: 'Vitamin pack', scope: 'products', durationMinutes: 10 }, 'service'),
    created(app, token, `${base}/staff`, { name: 'Dr. Smith' }, 'staff'),
  ]);
  return { workspaceId, token, clientId, clientName, consultationId, checkupId, openEndedId, productId, staffId };
};

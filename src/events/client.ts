import type { Event } from './envelope.js';

export type ClientRegistered = Event<
  'ClientRegistered',
  { clientId: string; workspaceId: string; name: string; email: string | null; phone: string | null }
>;
export const clientRegisteredVersion = 1;

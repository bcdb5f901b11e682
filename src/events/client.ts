import type { Event } from './envelope.js';

export type ClientRegistered = Event<
  'ClientRegistered',
  { clientId: string; workspaceId: string; name: string; email: string | null; phone: string | null }
>;
export const clientRegisteredVersion = 1;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const clientEventVersions = { ClientRegistered: clientRegisteredVersion } as const;

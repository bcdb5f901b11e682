import type { Event } from './envelope.js';

export type ServiceDefined = Event<
  'ServiceDefined',
  { serviceId: string; workspaceId: string; name: string; scope: string; durationMinutes: number | null }
>;
export const serviceDefinedVersion = 1;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const serviceEventVersions = { ServiceDefined: serviceDefinedVersion } as const;

import type { Event } from './envelope.js';

export type ServiceDefined = Event<
  'ServiceDefined',
  { serviceId: string; workspaceId: string; name: string; scope: string; durationMinutes: number | null }
>;
export const serviceDefinedVersion = 1;

/** The name changed; sessions that show the service show the new name, their events keep the booked one. */
export type ServiceRenamed = Event<'ServiceRenamed', { serviceId: string; workspaceId: string; from: string; to: string }>;
export const serviceRenamedVersion = 1;

/** Applies to sessions booked from now on; existing sessions keep their durations. */
export type ServiceDurationChanged = Event<
  'ServiceDurationChanged',
  { serviceId: string; workspaceId: string; from: number | null; to: number | null }
>;
export const serviceDurationChangedVersion = 1;

export type ServiceArchived = Event<'ServiceArchived', { serviceId: string; workspaceId: string }>;
export const serviceArchivedVersion = 1;

export type ServiceUnarchived = Event<'ServiceUnarchived', { serviceId: string; workspaceId: string }>;
export const serviceUnarchivedVersion = 1;

export type ServiceEvent = ServiceDefined | ServiceRenamed | ServiceDurationChanged | ServiceArchived | ServiceUnarchived;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const serviceEventVersions = {
  ServiceDefined: serviceDefinedVersion,
  ServiceRenamed: serviceRenamedVersion,
  ServiceDurationChanged: serviceDurationChangedVersion,
  ServiceArchived: serviceArchivedVersion,
  ServiceUnarchived: serviceUnarchivedVersion,
} as const;

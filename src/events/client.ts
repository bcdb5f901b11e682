import type { Event } from './envelope.js';

export type ClientRegistered = Event<
  'ClientRegistered',
  { clientId: string; workspaceId: string; name: string; email: string | null; phone: string | null }
>;
export const clientRegisteredVersion = 1;

/** The name changed; sessions that show the client show the new name, their events keep the booked one. */
export type ClientRenamed = Event<'ClientRenamed', { clientId: string; workspaceId: string; from: string; to: string }>;
export const clientRenamedVersion = 1;

/** Only the contact fields that changed are present. */
export type ClientContactChanged = Event<
  'ClientContactChanged',
  {
    clientId: string;
    workspaceId: string;
    email?: { from: string | null; to: string | null };
    phone?: { from: string | null; to: string | null };
  }
>;
export const clientContactChangedVersion = 1;

/** No longer bookable; stays readable, and its sessions keep it. */
export type ClientArchived = Event<'ClientArchived', { clientId: string; workspaceId: string }>;
export const clientArchivedVersion = 1;

export type ClientUnarchived = Event<'ClientUnarchived', { clientId: string; workspaceId: string }>;
export const clientUnarchivedVersion = 1;

export type ClientEvent = ClientRegistered | ClientRenamed | ClientContactChanged | ClientArchived | ClientUnarchived;

/** The schemaVersion this release writes and projects, per event type of this feature. */
export const clientEventVersions = {
  ClientRegistered: clientRegisteredVersion,
  ClientRenamed: clientRenamedVersion,
  ClientContactChanged: clientContactChangedVersion,
  ClientArchived: clientArchivedVersion,
  ClientUnarchived: clientUnarchivedVersion,
} as const;

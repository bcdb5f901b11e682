import { clientEventVersions, type ClientEvent, type ClientRegistered } from './client.js';
import type { Recorded } from './envelope.js';
import { serviceEventVersions, type ServiceDefined, type ServiceEvent } from './service.js';
import { sessionEventVersions, type SessionCreated, type SessionEvent } from './session.js';
import { staffEventVersions, type StaffEvent, type StaffMemberAdded } from './staff.js';
import { staffDayEventVersions, type StaffDayEvent } from './staffDay.js';
import { workspaceEventVersions, type WorkspaceCreated, type WorkspaceEvent } from './workspace.js';

export type DomainEvent = WorkspaceEvent | ClientEvent | ServiceEvent | StaffEvent | SessionEvent | StaffDayEvent;

export type DomainEventType = DomainEvent['type'];
export type RecordedEvent = Recorded<DomainEvent>;

export type {
  WorkspaceCreated,
  ClientRegistered,
  ServiceDefined,
  StaffMemberAdded,
  SessionCreated,
  WorkspaceEvent,
  ClientEvent,
  ServiceEvent,
  StaffEvent,
};

/**
 * The schemaVersion of every event type this release writes and projects, gathered from each
 * feature's own list; `satisfies` makes a type missing from them a compile error.
 */
export const currentSchemaVersions = {
  ...workspaceEventVersions,
  ...clientEventVersions,
  ...serviceEventVersions,
  ...staffEventVersions,
  ...sessionEventVersions,
  ...staffDayEventVersions,
} as const satisfies Record<DomainEventType, number>;

import type { ClientRegistered } from './client.js';
import type { Recorded } from './envelope.js';
import type { ServiceDefined } from './service.js';
import type { SessionCreated } from './session.js';
import type { StaffMemberAdded } from './staff.js';
import type { WorkspaceCreated } from './workspace.js';

export type DomainEvent =
  | WorkspaceCreated
  | ClientRegistered
  | ServiceDefined
  | StaffMemberAdded
  | SessionCreated;

export type DomainEventType = DomainEvent['type'];
export type RecordedEvent = Recorded<DomainEvent>;

export type { WorkspaceCreated, ClientRegistered, ServiceDefined, StaffMemberAdded, SessionCreated };

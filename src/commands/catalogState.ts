/**
 * The catalog facts a decision needs, folded from catalog events. Handlers load the same state
 * from the read model (which is projected from those events); decider tests build it from events.
 */
import type { DomainEvent } from '../events/index.js';

export interface WorkspaceFacts {
  id: string;
  timeZone: string;
}

export interface CatalogState {
  workspaces: Map<string, WorkspaceFacts>;
  clients: Map<string, { id: string; workspaceId: string; name: string; archived: boolean }>;
  services: Map<
    string,
    { id: string; workspaceId: string; name: string; scope: string; durationMinutes: number | null; archived: boolean }
  >;
  staff: Map<string, { id: string; workspaceId: string; name: string; archived: boolean }>;
}

export const initialCatalogState = (): CatalogState => ({
  workspaces: new Map(),
  clients: new Map(),
  services: new Map(),
  staff: new Map(),
});

const update = <V>(map: Map<string, V>, id: string, change: Partial<V>): void => {
  const current = map.get(id);
  if (current !== undefined) map.set(id, { ...current, ...change });
};

export const evolveCatalog = (state: CatalogState, event: DomainEvent): CatalogState => {
  switch (event.type) {
    case 'WorkspaceCreated':
      state.workspaces.set(event.data.workspaceId, { id: event.data.workspaceId, timeZone: event.data.timeZone });
      return state;
    case 'WorkspaceTimeZoneChanged':
      update(state.workspaces, event.data.workspaceId, { timeZone: event.data.to });
      return state;
    case 'ClientRegistered':
      state.clients.set(event.data.clientId, {
        id: event.data.clientId,
        workspaceId: event.data.workspaceId,
        name: event.data.name,
        archived: false,
      });
      return state;
    case 'ClientRenamed':
      update(state.clients, event.data.clientId, { name: event.data.to });
      return state;
    case 'ClientArchived':
    case 'ClientUnarchived':
      update(state.clients, event.data.clientId, { archived: event.type === 'ClientArchived' });
      return state;
    case 'ServiceDefined':
      state.services.set(event.data.serviceId, {
        id: event.data.serviceId,
        workspaceId: event.data.workspaceId,
        name: event.data.name,
        scope: event.data.scope,
        durationMinutes: event.data.durationMinutes,
        archived: false,
      });
      return state;
    case 'ServiceRenamed':
      update(state.services, event.data.serviceId, { name: event.data.to });
      return state;
    case 'ServiceDurationChanged':
      update(state.services, event.data.serviceId, { durationMinutes: event.data.to });
      return state;
    case 'ServiceArchived':
    case 'ServiceUnarchived':
      update(state.services, event.data.serviceId, { archived: event.type === 'ServiceArchived' });
      return state;
    case 'StaffMemberAdded':
      state.staff.set(event.data.staffId, {
        id: event.data.staffId,
        workspaceId: event.data.workspaceId,
        name: event.data.name,
        archived: false,
      });
      return state;
    case 'StaffMemberRenamed':
      update(state.staff, event.data.staffId, { name: event.data.to });
      return state;
    case 'StaffMemberArchived':
    case 'StaffMemberUnarchived':
      update(state.staff, event.data.staffId, { archived: event.type === 'StaffMemberArchived' });
      return state;
    case 'WorkspaceRenamed':
    case 'ClientContactChanged':
    case 'StaffMemberContactChanged':
    case 'SessionCreated':
    case 'SessionRescheduled':
    case 'SessionServicesChanged':
    case 'SessionStaffReassigned':
    case 'SessionClientChanged':
    case 'SessionDetailsChanged':
    case 'SessionStarted':
    case 'SessionCompleted':
    case 'SessionCancelled':
    case 'SessionOverbooked':
    case 'StaffTimeClaimed':
    case 'StaffTimeReleased':
      return state;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled event ${(unhandled as DomainEvent).type}`);
    }
  }
};

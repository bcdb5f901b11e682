/**
 * The catalog facts a decision needs, folded from catalog events. Handlers load the same state
 * from the read model (which is projected from those events); decider tests build it from events.
 */
import type { DomainEvent } from '../events/index.js';

export interface CatalogState {
  workspaces: Map<string, { id: string; timeZone: string }>;
  clients: Map<string, { id: string; workspaceId: string; name: string }>;
  services: Map<string, { id: string; workspaceId: string; name: string; scope: string; durationMinutes: number | null }>;
  staff: Map<string, { id: string; workspaceId: string; name: string }>;
}

export const initialCatalogState = (): CatalogState => ({
  workspaces: new Map(),
  clients: new Map(),
  services: new Map(),
  staff: new Map(),
});

export const evolveCatalog = (state: CatalogState, event: DomainEvent): CatalogState => {
  switch (event.type) {
    case 'WorkspaceCreated':
      state.workspaces.set(event.data.workspaceId, { id: event.data.workspaceId, timeZone: event.data.timeZone });
      return state;
    case 'ClientRegistered':
      state.clients.set(event.data.clientId, {
        id: event.data.clientId,
        workspaceId: event.data.workspaceId,
        name: event.data.name,
      });
      return state;
    case 'ServiceDefined':
      state.services.set(event.data.serviceId, {
        id: event.data.serviceId,
        workspaceId: event.data.workspaceId,
        name: event.data.name,
        scope: event.data.scope,
        durationMinutes: event.data.durationMinutes,
      });
      return state;
    case 'StaffMemberAdded':
      state.staff.set(event.data.staffId, {
        id: event.data.staffId,
        workspaceId: event.data.workspaceId,
        name: event.data.name,
      });
      return state;
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

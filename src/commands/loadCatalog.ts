/** Loads the catalog facts a decision needs from the read model (only the ids the command names). */
import type { ReadModelStore } from '../stores/readModel.js';
import { initialCatalogState, type CatalogState } from './catalogState.js';

export interface CatalogNeeds {
  clientIds?: readonly string[];
  serviceIds?: readonly string[];
  staffIds?: readonly string[];
}

export const loadCatalog = async (
  readModel: ReadModelStore | null,
  workspaceId: string | null,
  needs: CatalogNeeds = {},
): Promise<CatalogState> => {
  const state = initialCatalogState();
  if (readModel === null || workspaceId === null) return state;
  const [workspace, clients, services, staff] = await Promise.all([
    readModel.find('workspaces', workspaceId, workspaceId),
    needs.clientIds?.length ? readModel.findMany('clients', workspaceId, needs.clientIds) : [],
    needs.serviceIds?.length ? readModel.findMany('services', workspaceId, needs.serviceIds) : [],
    needs.staffIds?.length ? readModel.findMany('staff', workspaceId, needs.staffIds) : [],
  ]);
  if (workspace) state.workspaces.set(workspace.id, { id: workspace.id, timeZone: String(workspace.timeZone) });
  for (const c of clients)
    state.clients.set(c.id, { id: c.id, workspaceId: c.workspaceId, name: String(c.name), archived: c.archived === true });
  for (const s of services) {
    state.services.set(s.id, {
      id: s.id,
      workspaceId: s.workspaceId,
      name: String(s.name),
      scope: String(s.scope),
      durationMinutes: typeof s.durationMinutes === 'number' ? s.durationMinutes : null,
      archived: s.archived === true,
    });
  }
  for (const s of staff)
    state.staff.set(s.id, { id: s.id, workspaceId: s.workspaceId, name: String(s.name), archived: s.archived === true });
  return state;
};

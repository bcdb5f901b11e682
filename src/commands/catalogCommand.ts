/**
 * Catalog entries (workspaces, clients, services, staff members) are created once and not
 * changed yet, so their aggregate state is whether they exist. Their creates share one wiring:
 * the decision needs the workspace from the catalog (404 when it does not exist).
 */
import { ConflictError } from '../errors.js';
import type { EventMetadata } from '../events/envelope.js';
import type { EventToAppend } from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';
import type { CatalogState } from './catalogState.js';
import type { Decider } from './decider.js';
import type { AggregateCommand } from './handle.js';
import { loadCatalog } from './loadCatalog.js';

export const createdOnce = <Command, Event>(
  kind: string,
  decide: (command: Command, catalog: CatalogState) => Event[],
): Decider<Command, Event, boolean, CatalogState> => ({
  initialState: () => false,
  evolve: () => true,
  decide: (command, exists, catalog) => {
    if (exists) throw new ConflictError(`This ${kind} already exists.`);
    return decide(command, catalog);
  },
});

export interface CatalogCreate<Command, Event> {
  kind: string;
  stream: (id: string) => string;
  decider: Decider<Command, Event, boolean, CatalogState>;
  command: (id: string, metadata: EventMetadata) => Command;
}

/** A create in a workspace; `readModel` null for the workspace itself (nothing to look up). */
export const catalogCreate = <Command, Event extends EventToAppend>(
  readModel: ReadModelStore | null,
  workspaceId: string | null,
  create: CatalogCreate<Command, Event>,
): AggregateCommand<Command, Event, boolean, CatalogState> => ({
  ...create,
  workspaceOf: (id) => workspaceId ?? id,
  target: { create: true },
  lookup: async () => (readModel && workspaceId ? loadCatalog(readModel, workspaceId) : loadCatalog(null, null)),
});

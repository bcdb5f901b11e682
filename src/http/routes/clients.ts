import { changeClientSpec, registerClientSpec, setClientArchivedSpec } from '../../commands/client.js';
import { parseChangeClient } from '../../commands/changeClient.js';
import { parseRegisterClient } from '../../commands/registerClient.js';
import { clientView } from '../../projections/clientView.js';
import { catalogResourceRoutes } from './catalogResource.js';
import type { RouteDeps } from './shared.js';

export const clientRoutes = (deps: RouteDeps) =>
  catalogResourceRoutes(deps, {
    collection: 'clients',
    permissions: 'clients',
    responseKey: 'client',
    label: 'Client',
    parse: parseRegisterClient,
    projection: clientView,
    spec: registerClientSpec,
    parseChange: parseChangeClient,
    change: changeClientSpec,
    setArchived: setClientArchivedSpec,
  });

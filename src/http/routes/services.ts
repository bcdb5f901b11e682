import { parseChangeService } from '../../commands/changeService.js';
import { parseDefineService } from '../../commands/defineService.js';
import { changeServiceSpec, defineServiceSpec, setServiceArchivedSpec } from '../../commands/service.js';
import { serviceView } from '../../projections/serviceView.js';
import { catalogResourceRoutes } from './catalogResource.js';
import type { RouteDeps } from './shared.js';

export const serviceRoutes = (deps: RouteDeps) =>
  catalogResourceRoutes(deps, {
    collection: 'services',
    permissions: 'services',
    responseKey: 'service',
    label: 'Service',
    parse: parseDefineService,
    projection: serviceView,
    spec: defineServiceSpec,
    parseChange: parseChangeService,
    change: changeServiceSpec,
    setArchived: setServiceArchivedSpec,
    scoped: true,
  });

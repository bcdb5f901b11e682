import { defineServiceSpec, parseDefineService } from '../../commands/defineService.js';
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
  });

/**
 * The projections registry as a module of its own (shape: ProjectionRegistry, ./ports.ts): the
 * composition root hands it to the SQLite rebuild, whose worker threads import it again by its URL
 * (functions do not cross threads). So the adapter runs these projections and this rule without
 * importing either. Pass the module itself: `import * as registry from './registry.js'`.
 */
import { upcastFactsFrom } from '../events/upcasters.js';
import { allProjections } from './index.js';
import type { ProjectionRegistry } from './ports.js';
import { prepareForProjection } from './projectableEvents.js';

export const projections: ProjectionRegistry['projections'] = allProjections;

/** The standard rule, without counting: the applying thread notes the skipped events itself. */
export const preparer: ProjectionRegistry['preparer'] = (timeZones) => {
  const facts = upcastFactsFrom(new Map(Object.entries(timeZones)));
  return (event) => prepareForProjection(event, undefined, facts);
};

export const url: ProjectionRegistry['url'] = import.meta.url;

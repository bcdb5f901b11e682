/**
 * A projections registry (shape: ProjectionRegistry in src/projections/ports.ts) holding the items
 * projection, for rebuilds with worker threads: pass the module itself (`import * as registry`);
 * the workers import it again by its URL. Its events need no upcasting.
 */
import type { ProjectionRegistry } from '../../src/projections/ports.js';
import type { Projection } from '../../src/projections/projection.js';
import { itemsProjection } from '../contracts/itemsProjection.js';

export const itemsForWorkers = itemsProjection('items') as Projection;

export const projections: ProjectionRegistry['projections'] = [itemsForWorkers];

export const preparer: ProjectionRegistry['preparer'] = () => (event) => event;

export const url: ProjectionRegistry['url'] = import.meta.url;

/**
 * A projection is a pure function from (current document, event) to the next document, plus the
 * event types it handles and where each event's document lives. The same function serves the
 * inline path, the async projector and rebuilds, so it must be deterministic: no clock, no ids.
 */
import type { Document } from '../stores/readModel.js';
import type { StoredEvent } from '../stores/eventStore.js';

export interface Projection<D extends Document = Document> {
  /** Unique name; also the name of the checkpoint. */
  readonly name: string;
  /** Where its documents are stored (a table or a collection). */
  readonly collection: string;
  readonly handles: readonly string[];
  /** The document an event touches. */
  key(event: StoredEvent): { workspaceId: string; id: string };
  /** Next document, or null to delete it. */
  evolve(current: D | null, event: StoredEvent): D | null;
}

export const handlesEvent = (projection: Projection, event: StoredEvent): boolean =>
  projection.handles.includes(event.type);

/**
 * What a write answers with: the read-model document after the command. When projections run
 * inline it is there at once; when they run asynchronously the answer waits up to
 * `projectionWaitMs` for the projector, then falls back to the same projection folded over the
 * aggregate's stream, remembered for reads on this instance (read-your-writes).
 */
import type { Logger } from '../logger.js';
import type { Document, ReadModelStore } from '../stores/readModel.js';
import type { PendingDocuments } from '../stores/pendingDocuments.js';
import { projectEvents, type Projection, type StoredEvent } from './projection.js';
import type { ProjectionProgress } from './projector.js';

export interface ReadBackDeps {
  readModel: ReadModelStore;
  progress: ProjectionProgress;
  logger: Logger;
  /** How long a write waits for the read model before answering from its events. */
  projectionWaitMs: number;
  /** Where a write that answered from its events leaves the document for reads on this instance. */
  pending?: PendingDocuments;
}

/** The facts of a command's outcome a read-back needs (see CommandOutcome). */
export interface WrittenAggregate {
  id: string;
  streamId: string;
  workspaceId: string;
  replayed: boolean;
  stream: StoredEvent[];
  appended: StoredEvent[];
  position: bigint | null;
}

export const documentAfter = async (deps: ReadBackDeps, projection: Projection, written: WrittenAggregate): Promise<Document> => {
  const fromEvents = (): Document => {
    const document = projectEvents(projection, written.id, written.stream);
    if (!document) throw new Error(`projection ${projection.name} produced no document for ${written.streamId}`);
    return document;
  };
  // A repeat answers as the original did: the document as of the request's own events.
  if (written.replayed) return fromEvents();
  const { position } = written;
  if (position === null) throw new Error(`the write to ${written.streamId} has no position: its stream is empty`);
  // A change that changed nothing waits too: it was decided on the stream as read (If-Match may
  // have named its newest version), which a lagging read model may not have reached yet.
  // The events are stored: from here on a read store that fails (a restart) must not turn the
  // acknowledged write into an error; the answer then comes from the events themselves.
  if (await deps.progress.waitFor(projection.name, position, deps.projectionWaitMs).catch(() => false)) {
    const document = await deps.readModel.find(projection.collection, written.workspaceId, written.id).catch(() => null);
    if (document) return document;
  }
  deps.logger.warn(
    { streamId: written.streamId, position: position.toString(), lag: await deps.progress.lag().then(String, () => 'unknown') },
    'read model did not reach the appended event in time; answering from the events',
  );
  const document = fromEvents();
  deps.pending?.remember(projection.collection, document);
  return document;
};

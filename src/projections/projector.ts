/**
 * Store-agnostic projection runner pieces: catching a read model up from its checkpoints, and
 * waiting until a position has been projected (read-your-writes after an append).
 */
import type { EventStore, StoredEvent } from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';
import type { Projection } from './projection.js';

export interface CatchUpResult {
  applied: number;
  lastPosition: bigint | null;
}

/** The lowest checkpoint among the projections: where a shared read of the log must start. */
export const lowestCheckpoint = async (readModel: ReadModelStore, projections: readonly Projection[]): Promise<bigint | undefined> => {
  let lowest: bigint | undefined;
  for (const projection of projections) {
    const checkpoint = await readModel.checkpoint(projection.name);
    if (checkpoint === null) return undefined;
    if (lowest === undefined || checkpoint < lowest) lowest = checkpoint;
  }
  return lowest;
};

/**
 * Applies every event after the projections' checkpoints, a page per write. The read model skips
 * what a projection has already applied, so running this twice, or concurrently with inline
 * projection, changes nothing.
 */
export const catchUp = async (
  events: EventStore,
  readModel: ReadModelStore,
  projections: readonly Projection[],
  pageSize = 1000,
): Promise<CatchUpResult> => {
  const after = await lowestCheckpoint(readModel, projections);
  let page: StoredEvent[] = [];
  let applied = 0;
  let lastPosition: bigint | null = null;
  for await (const event of events.readAll({ ...(after === undefined ? {} : { after }), pageSize })) {
    page.push(event);
    if (page.length >= pageSize) {
      await readModel.apply(projections, page);
      applied += page.length;
      lastPosition = event.position;
      page = [];
    }
  }
  const last = page[page.length - 1];
  if (last !== undefined) {
    await readModel.apply(projections, page);
    applied += page.length;
    lastPosition = last.position;
  }
  return { applied, lastPosition };
};

/** Read-your-writes: tells whether the read model has applied a given position. */
export interface ProjectionProgress {
  /** Resolves true once `projection` has applied `position`, false when `timeoutMs` passes first. */
  waitFor(projection: string, position: bigint, timeoutMs: number): Promise<boolean>;
  /** How many events the slowest projection is behind the head of the log (0 when inline). */
  lag(): Promise<bigint>;
}

/** For the embedded profile, where projections commit with the append: nothing to wait for. */
export const inlineProgress = (): ProjectionProgress => ({
  waitFor: async () => true,
  lag: async () => 0n,
});

/**
 * Read-your-writes for asynchronous projection: a create waits until the projection's checkpoint
 * in the read model has reached the appended event's position. The checkpoint is read from the
 * read store itself, so this works whichever instance (or projector process) does the projecting;
 * an in-process projector also signals each stored batch so that a waiting request wakes at once
 * instead of at the next poll.
 */
import type { EventStore } from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';
import type { Projection } from './projection.js';
import { lowestCheckpoint, type ProjectionProgress } from './projector.js';

export interface CheckpointProgressOptions {
  events: EventStore;
  readModel: ReadModelStore;
  projections: readonly Projection[];
  /** Longest pause between two checkpoint reads while waiting. */
  pollMs?: number;
  /** lag() counts the events behind up to this many (counting further would cost a full read). */
  lagCountLimit?: number;
}

export interface CheckpointProgress extends ProjectionProgress {
  /** The in-process projector stored every event up to `position` for all its projections. */
  notify(position: bigint): void;
}

export const checkpointProgress = (options: CheckpointProgressOptions): CheckpointProgress => {
  const pollMs = options.pollMs ?? 50;
  const lagCountLimit = options.lagCountLimit ?? 1000;
  let appliedHere: bigint | null = null;
  let wakeUps: (() => void)[] = [];

  const pause = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        wakeUps = wakeUps.filter((w) => w !== wake);
        resolve();
      }, ms);
      wakeUps.push(wake);
    });

  return {
    notify(position) {
      if (appliedHere === null || position > appliedHere) appliedHere = position;
      const waiting = wakeUps;
      wakeUps = [];
      for (const wake of waiting) wake();
    },

    async waitFor(projection, position, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let interval = 5;
      for (;;) {
        if (appliedHere !== null && appliedHere >= position && options.projections.some((p) => p.name === projection)) return true;
        const checkpoint = await options.readModel.checkpoint(projection);
        if (checkpoint !== null && checkpoint >= position) return true;
        const remaining = deadline - Date.now();
        if (remaining <= 0) return false;
        await pause(Math.min(interval, remaining));
        interval = Math.min(interval * 2, pollMs);
      }
    },

    async lag() {
      const after = await lowestCheckpoint(options.readModel, options.projections);
      let behind = 0n;
      // eslint-disable-next-line @typescript-eslint/no-unused-vars -- the loop only counts the events; for await needs a binding
      for await (const _event of options.events.readAll({ ...(after === undefined ? {} : { after }), pageSize: lagCountLimit })) {
        behind += 1n;
        if (behind >= BigInt(lagCountLimit)) break;
      }
      return behind;
    },
  };
};

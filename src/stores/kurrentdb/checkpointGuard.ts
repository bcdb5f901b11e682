/**
 * A read model whose checkpoint lies beyond the end of the event log (the log was wiped or
 * replaced, the read models kept) would make the projector subscribe "after" a position no new
 * event reaches for a long time, silently skipping every event until then. Start-up and every
 * subscription check for it and stop with an error that says what to do. Written on the ports
 * only, so it serves the KurrentDB log and the embedded one behind MongoDB read models alike.
 */
import type { Projection } from '../../projections/projection.js';
import type { EventStore } from '../eventStore.js';
import type { ReadModelStore } from '../readModel.js';

export class CheckpointBeyondLogError extends Error {
  readonly code = 'checkpoint-beyond-log';
  constructor(
    readonly checkpoint: bigint,
    readonly head: bigint | null,
    readonly projection?: string,
  ) {
    super(
      `${projection ? `projection ${projection}: ` : ''}the read model's checkpoint ${checkpoint.toString()} is beyond the end of the event log ` +
        `(${head === null ? 'the log is empty' : `last position ${head.toString()}`}): the log was wiped or replaced while the read models were kept. ` +
        'Projecting from there would skip events. Point the service at the right event store, or rebuild the read models from this log (npm run rebuild).',
    );
    this.name = 'CheckpointBeyondLogError';
  }
}

/** Throws when `after` (a checkpoint) is beyond `head` (the log's last position, null when empty). */
export const checkCheckpointWithinLog = (after: bigint | undefined, head: bigint | null, projection?: string): void => {
  if (after === undefined) return;
  if (head === null || after > head) throw new CheckpointBeyondLogError(after, head, projection);
};

/** At start: every projection's checkpoint must lie within the log. */
export const assertCheckpointsWithinLog = async (
  events: Pick<EventStore, 'headPosition'>,
  readModel: Pick<ReadModelStore, 'checkpoint'>,
  projections: readonly Pick<Projection, 'name'>[],
): Promise<void> => {
  // Checkpoints first, the head after: a live projector may move both meanwhile, and a head read
  // after a checkpoint is at or past it whenever the log holds what was projected.
  const checkpoints: [string, bigint | null][] = [];
  for (const projection of projections) checkpoints.push([projection.name, await readModel.checkpoint(projection.name)]);
  const head = await events.headPosition();
  for (const [name, checkpoint] of checkpoints) if (checkpoint !== null) checkCheckpointWithinLog(checkpoint, head, name);
};

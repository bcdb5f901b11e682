/**
 * What every blue/green rebuild target (RebuildTarget, ./readModel.ts) does alike, whatever it
 * stores documents in: which projections it may rebuild together, how far a page moves it, and
 * how it brings the live read models to its position before comparing, as the projector would.
 * The store-specific parts (tables or collections, locks or leases, writes) stay in the adapters.
 */
import { checkIndexes, type Projection } from '../projections/projection.js';
import { feedLog, prepareBatch } from '../projections/ports.js';
import type { EventStore, StoredEvent } from './eventStore.js';
import type { BeginRebuildOptions } from './readModel.js';

/** Projections one rebuild may take: one per collection, each with indexes every adapter can serve. */
export const checkRebuildProjections = (projections: readonly Projection[]): void => {
  const collections = new Set<string>();
  for (const projection of projections) {
    if (collections.has(projection.collection)) throw new Error(`two projections share collection ${projection.collection}`);
    collections.add(projection.collection);
    checkIndexes(projection);
  }
};

/**
 * The position a page of events moves a target to (`through`, default the page's last event), or
 * undefined when that is not past `current`: a target's position only moves forward.
 */
export const advancedPosition = (current: bigint | null, events: readonly StoredEvent[], through?: bigint): bigint | undefined => {
  const covered = through ?? events[events.length - 1]?.position;
  return covered !== undefined && (current === null || covered > current) ? covered : undefined;
};

/**
 * A target's catch-up on the log's tail: the events after its position (`after`, null: the
 * whole log), of the rebuild's types when it names some, through the rebuild's `prepare`, a page
 * per `pageSize` events read (feedLog), up to `until` when set. Returns the events handed on.
 */
export const feedTail = (
  events: Pick<EventStore, 'readAll'>,
  rebuild: Pick<BeginRebuildOptions, 'prepare' | 'types'>,
  options: { after: bigint | null; until?: bigint | null; pageSize: number },
  write: (page: StoredEvent[], through: bigint) => Promise<void>,
): Promise<number> => {
  const { after, until, pageSize } = options;
  return feedLog(
    events,
    {
      ...(after === null ? {} : { after }),
      ...(until === null || until === undefined ? {} : { until }),
      pageSize,
      ...(rebuild.types ? { types: rebuild.types } : {}),
      prepare: rebuild.prepare,
    },
    write,
  );
};

/**
 * Brings the live read models to `until` (the rebuild's position) as the projector would have,
 * while the projector is held off: the log after the lowest of their checkpoints (all of it when
 * one has none yet), in batches of `pageSize` events read, each through prepareBatch with the
 * rule of the live projector (`prepareLive`: the rebuild's `prepare` counts the skipped events of
 * the rebuilt log and would count these again; a marker moves the checkpoints past skipped events).
 * Nothing to do when the rebuild has no position yet or every checkpoint has reached it. The
 * checkpoints are read only as far as needed (an async iterable may read them one by one).
 */
export const catchUpLive = async (
  events: Pick<EventStore, 'readAll'>,
  rebuild: Pick<BeginRebuildOptions, 'prepare' | 'prepareLive'>,
  options: { until: bigint | null; pageSize: number; checkpoints: AsyncIterable<bigint | null> | Iterable<bigint | null> },
  apply: (batch: StoredEvent[]) => Promise<void>,
): Promise<void> => {
  const { until, pageSize } = options;
  if (until === null) return;
  let after: bigint | undefined;
  for await (const checkpoint of options.checkpoints) {
    if (checkpoint === null) {
      after = undefined;
      break;
    }
    if (after === undefined || checkpoint < after) after = checkpoint;
  }
  if (after !== undefined && after >= until) return;
  const prepare = rebuild.prepareLive ?? rebuild.prepare;
  await feedLog(events, { ...(after === undefined ? {} : { after }), until, pageSize }, (batch) => apply(prepareBatch(batch, prepare)));
};

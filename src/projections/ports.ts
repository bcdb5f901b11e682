/**
 * What the projection side asks of the stores and what it hands them, in one module both sides
 * import: the adapters implement these (KurrentDB's subscription, MongoDB's lease) or receive them
 * (the registry a rebuild worker loads), the projector and the composition root use them. Nothing
 * here imports an adapter or a view, so importing it never pulls either side into the other.
 */
import type { StoredEvent } from '../events/envelope.js';
import type { EventStore } from '../stores/eventStore.js';
import type { Projection } from './projection.js';

/** One live subscription: batches of events in log order. Iteration ends or throws when it drops. */
export interface EventSubscription extends AsyncIterable<readonly StoredEvent[]> {
  /** Stops the subscription; a pending iteration ends. */
  close(): Promise<void>;
}

export interface SubscriptionSource {
  /** Subscribes to the events strictly after `after` (from the beginning when undefined). */
  subscribe(after: bigint | undefined): EventSubscription;
}

/** A mutual-exclusion lease with expiry, shared by every instance (a MongoDB document in production). */
export interface Lease {
  /** Takes the lease, or renews it when this owner holds it. False when another owner holds it. */
  tryAcquire(): Promise<boolean>;
  /** Gives the lease up so that another instance can take over at once. */
  release(): Promise<void>;
}

/**
 * Type of the marker standing for skipped events at the end of a batch: no projection handles it,
 * so applying it only moves the checkpoints past the events that were left out.
 */
export const skippedMarkerType = '$skipped';

/**
 * A batch of the log (non-empty, in order) as the projections see it: each event through
 * `prepare`, the ones it leaves out dropped. When the batch ends with a left-out event, a marker of
 * a type no projection handles takes its place, so that the checkpoints still move past it (and
 * the lag does not stay above zero). What the async projector and a rebuild's live catch-up apply.
 */
export const prepareBatch = (batch: readonly StoredEvent[], prepare: (event: StoredEvent) => StoredEvent | null): StoredEvent[] => {
  const events = batch.flatMap((event) => prepare(event) ?? []);
  const last = batch[batch.length - 1];
  // An empty batch (callers send none) would have nothing to mark.
  if (last !== undefined && events[events.length - 1]?.position !== last.position)
    events.push({ ...last, type: skippedMarkerType, data: {} });
  return events;
};

/**
 * Reads the log after `after` (from its start when undefined) and hands it on a page at a time:
 * each event through `prepare` (none: as read), the ones it leaves out dropped, a page per
 * `pageSize` events read, with the position of the last event read, so that events left out at a
 * page's end are not read again. With `until`, stops before the first event after it. How a
 * rebuild pages the log: the whole of it into a target, a target's catch-up on the tail, the live
 * read models' catch-up to the rebuild's position. Returns the events handed on.
 */
export const feedLog = async (
  events: Pick<EventStore, 'readAll'>,
  options: {
    after?: bigint;
    until?: bigint;
    pageSize: number;
    types?: readonly string[];
    prepare?: (event: StoredEvent) => StoredEvent | null;
  },
  write: (page: StoredEvent[], through: bigint) => Promise<void>,
): Promise<number> => {
  const { after, until, pageSize, types, prepare } = options;
  let handed = 0;
  let page: StoredEvent[] = [];
  let read = 0;
  let through = 0n;
  const flush = async (): Promise<void> => {
    await write(page, through);
    handed += page.length;
    page = [];
    read = 0;
  };
  for await (const raw of events.readAll({
    pageSize,
    ...(after === undefined ? {} : { after }),
    ...(types ? { types } : {}),
  })) {
    if (until !== undefined && raw.position > until) break;
    const event = prepare ? prepare(raw) : raw;
    if (event !== null) page.push(event);
    read += 1;
    through = raw.position;
    if (read === pageSize) await flush();
  }
  if (read > 0) await flush();
  return handed;
};

/**
 * The lease of the projector group: all projections are applied together, from one subscription,
 * by whichever instance holds it. A rebuild that must stop the projector takes this same lease.
 */
export const projectorLease = { name: 'read-models', ttlMs: 15_000, renewEveryMs: 5_000, retryEveryMs: 5_000 } as const;

/**
 * The projections registry as a module (src/projections/registry.ts): the projections, the
 * standard rule for what they see of an event (upcast, or null when this release cannot project
 * it), and the module's own URL, by which a worker thread imports it again (functions do not cross
 * threads). The composition root hands it to the adapters, so they never import the registry.
 */
export interface ProjectionRegistry {
  readonly projections: readonly Projection[];
  /** The standard rule, without noting skips, upcasting with these facts (workspace id → time zone). */
  preparer(timeZones: Readonly<Record<string, string>>): (event: StoredEvent) => StoredEvent | null;
  /** Where the module is (compiled or from sources alike), for `import(url)` in another thread. */
  readonly url: string;
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects: what a subscription waits with between reads. */
export const abortableSleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise<void>((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

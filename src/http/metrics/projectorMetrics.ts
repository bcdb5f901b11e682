/**
 * The metrics of the projector process (src/cli/projector.ts), beside the projection checkpoint
 * and lag gauges it shares with the API (serviceMetrics.ts). Two decorators observe the projector
 * through its ports, so it needs no hook of its own: the subscription source sees each batch
 * arrive (its size, its arrival time), the read model sees it stored (the time of the write, and
 * of the whole batch from its arrival, upcasting included). The lease and the projector's state
 * are read from its status when scraped.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ProjectorState, ProjectorStatus } from '../../projections/asyncProjector.js';
import type { SubscriptionSource } from '../../projections/ports.js';
import type { ReadModelStore } from '../../stores/readModel.js';

export interface ProjectorMetrics {
  /** The source, observed: events per batch read from the log, and when each arrived. */
  source(inner: SubscriptionSource): SubscriptionSource;
  /** The read model, observed: each batch's write, and the batch from its arrival to stored. */
  readModel(inner: ReadModelStore): ReadModelStore;
}

const states: readonly ProjectorState[] = ['idle', 'waiting-for-lease', 'subscribed', 'backing-off', 'stopped'];
const durationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `status` answers undefined until the projector exists (its gauges then report nothing). */
export const createProjectorMetrics = (registry: Registry, status: () => ProjectorStatus | undefined): ProjectorMetrics => {
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const batchEvents = new Histogram({
    name: 'sessions_projector_batch_events',
    help: 'Events per batch the projector read from the log (at most 500).',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers,
  });
  const batchDuration = new Histogram({
    name: 'sessions_projector_batch_duration_seconds',
    help: 'Time from a batch arriving from the log to its documents and checkpoints being stored (upcasting included).',
    buckets: durationBuckets,
    registers,
  });
  const applyDuration = new Histogram({
    name: 'sessions_projector_apply_duration_seconds',
    help: 'Time of the read-model write that applies one batch to every projection and moves their checkpoints.',
    buckets: durationBuckets,
    registers,
  });
  new Gauge({
    name: 'sessions_projector_lease_held',
    help: 'Whether this process holds the projector lease and writes the read models (1), or waits as a standby (0).',
    registers,
    collect() {
      const current = status();
      if (current) this.set(current.holdsLease ? 1 : 0);
    },
  });
  new Gauge({
    name: 'sessions_projector_state',
    help: 'The projector loop state: 1 for the current one.',
    labelNames: ['state'],
    registers,
    collect() {
      const current = status();
      if (current) for (const state of states) this.set({ state }, current.state === state ? 1 : 0);
    },
  });
  new Counter({
    name: 'sessions_projector_resubscriptions_total',
    help: 'Times the subscription dropped and was re-established from the stored checkpoint.',
    registers,
    collect() {
      const current = status();
      if (!current) return;
      this.reset();
      this.inc(current.resubscriptions);
    },
  });

  // The projector awaits each batch's write before it reads the next: one arrival is pending at most.
  let arrivedAt: number | undefined;
  return {
    source: (inner) => ({
      subscribe: (after) => {
        const subscription = inner.subscribe(after);
        return {
          close: () => subscription.close(),
          async *[Symbol.asyncIterator]() {
            for await (const batch of subscription) {
              if (batch.length > 0) {
                batchEvents.observe(batch.length);
                arrivedAt = performance.now();
              }
              yield batch;
            }
          },
        };
      },
    }),
    readModel: (inner) => ({
      find: (collection, workspaceId, id) => inner.find(collection, workspaceId, id),
      findMany: (collection, workspaceId, ids) => inner.findMany(collection, workspaceId, ids),
      query: (collection, workspaceId, query) => inner.query(collection, workspaceId, query),
      checkpoint: (projection) => inner.checkpoint(projection),
      ping: () => inner.ping(),
      close: () => inner.close(),
      apply: async (projections, events) => {
        const started = performance.now();
        await inner.apply(projections, events);
        const stored = performance.now();
        applyDuration.observe((stored - started) / 1000);
        if (arrivedAt !== undefined) batchDuration.observe((stored - arrivedAt) / 1000);
        arrivedAt = undefined;
      },
    }),
  };
};

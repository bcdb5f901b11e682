/**
 * The asynchronous projector of the production profile: follows the event log from the read
 * model's checkpoint and applies events to the projections, strictly in log order, each batch
 * awaited before the next is read. When the subscription drops (server restart, network, a failed
 * write) it resubscribes from the last stored checkpoint after a capped exponential back-off.
 *
 * The event source sits behind `SubscriptionSource` (KurrentDB's subscribeToAll in production, a
 * poller over the EventStore port otherwise, a scripted fake in unit tests). When a `Lease` is
 * given, the projector writes only while it holds the lease, so that one projector per group of
 * projections writes at a time however many instances run.
 */
import type { Logger } from '../logger.js';
import type { StoredEvent } from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { abortableSleep, prepareBatch, type EventSubscription, type Lease, type SubscriptionSource } from './ports.js';
import type { Projection } from './projection.js';
import { lowestCheckpoint } from './projector.js';

export interface LeaseOptions {
  lease: Lease;
  /** How long a taken lease lasts without renewal. */
  ttlMs: number;
  /** How often the holder renews (well under ttlMs). */
  renewEveryMs: number;
  /** How often an instance without the lease tries to take it. */
  retryEveryMs: number;
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const defaultBackoff: Backoff = { initialMs: 250, maxMs: 30_000 };

/** Delay before resubscription attempt `attempt` (0-based): doubling from initialMs, capped at maxMs. */
export const backoffDelay = (attempt: number, backoff: Backoff): number =>
  Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.min(Math.max(attempt, 0), 30));

export type ProjectorState = 'idle' | 'waiting-for-lease' | 'subscribed' | 'backing-off' | 'stopped';

export interface ProjectorStatus {
  name: string;
  state: ProjectorState;
  holdsLease: boolean;
  /** Position of the last event this instance applied, as a decimal string. */
  lastApplied: string | null;
  /** How many times the subscription dropped and was re-established. */
  resubscriptions: number;
  lastError: string | null;
}

export interface AsyncProjectorOptions {
  /** Names the lease and the log lines. */
  name: string;
  source: SubscriptionSource;
  readModel: ReadModelStore;
  projections: readonly Projection[];
  logger: Logger;
  lease?: LeaseOptions;
  backoff?: Backoff;
  /** Injectable so that tests do not wait; must resolve early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /**
   * The clock of the lease deadline, in milliseconds: monotonic (default `performance.now`), so
   * that a wall clock stepped back on the holder cannot stretch its lease past the expiry.
   */
  monotonicNow?: () => number;
  /** Called after each batch is stored, with the position of its last event. */
  onApplied?: (position: bigint) => void;
  /**
   * What the projections should see of an event (e.g. upcast), or null to skip it. Skipped events
   * still count as handled: the checkpoint moves past them with the rest of their batch.
   */
  prepare?: (event: StoredEvent) => StoredEvent | null;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class AsyncProjector {
  private readonly backoff: Backoff;
  private readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private readonly stopSignal = new AbortController();
  private loop: Promise<void> | undefined;
  private current: EventSubscription | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing = false;
  private holdsLease = false;
  /** Local deadline of the lease (monotonic clock): the holder stops writing once it passes without a renewal. */
  private leaseValidUntil = 0;
  private state: ProjectorState = 'idle';
  private lastApplied: bigint | null = null;
  private resubscriptions = 0;
  private lastError: string | null = null;

  constructor(private readonly options: AsyncProjectorOptions) {
    this.backoff = options.backoff ?? defaultBackoff;
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.monotonicNow ?? (() => performance.now());
  }

  start(): void {
    if (this.loop) return;
    this.loop = this.run();
    const lease = this.options.lease;
    if (lease) {
      this.renewTimer = setInterval(() => void this.renewLease(lease), lease.renewEveryMs);
      this.renewTimer.unref();
    }
  }

  /** Stops following the log, waits for the batch in progress, and releases the lease. */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    if (this.renewTimer) clearInterval(this.renewTimer);
    await this.closeCurrent();
    await this.loop;
    this.state = 'stopped';
    if (this.options.lease && this.holdsLease) {
      this.holdsLease = false;
      await this.options.lease.lease.release().catch((error: unknown) => {
        this.options.logger.warn({ projector: this.options.name, err: error }, 'could not release the projector lease');
      });
    }
  }

  status(): ProjectorStatus {
    return {
      name: this.options.name,
      state: this.state,
      holdsLease: this.options.lease ? this.holdsLease : true,
      lastApplied: this.lastApplied === null ? null : this.lastApplied.toString(),
      resubscriptions: this.resubscriptions,
      lastError: this.lastError,
    };
  }

  /** A method, not a getter: stop() may be called during any await, so no check of it holds for long. */
  private stopping(): boolean {
    return this.stopSignal.signal.aborted;
  }

  private mayWrite(): boolean {
    return !this.options.lease || (this.holdsLease && this.now() < this.leaseValidUntil);
  }

  private async run(): Promise<void> {
    const { logger, name, readModel, projections, source } = this.options;
    let attempt = 0;
    while (!this.stopping()) {
      if (this.options.lease && !this.mayWrite()) {
        if (!(await this.takeLease(this.options.lease))) {
          this.state = 'waiting-for-lease';
          await this.sleep(this.options.lease.retryEveryMs, this.stopSignal.signal);
          continue;
        }
      }
      let failure: unknown;
      try {
        const after = await lowestCheckpoint(readModel, projections);
        this.current = source.subscribe(after);
        this.state = 'subscribed';
        logger.info({ projector: name, after: after?.toString() ?? 'start' }, 'projector subscribed');
        for await (const batch of this.current) {
          if (this.stopping() || !this.mayWrite()) break;
          const lastEvent = batch[batch.length - 1];
          if (lastEvent === undefined) continue;
          const last = lastEvent.position;
          await readModel.apply(projections, this.prepared(batch));
          this.lastApplied = last;
          attempt = 0;
          this.options.onApplied?.(last);
        }
      } catch (error) {
        failure = error;
      } finally {
        await this.closeCurrent();
      }
      if (this.stopping()) break;
      if (this.options.lease && !this.mayWrite()) {
        logger.warn({ projector: name }, 'projector lease lost; stopped writing');
        continue;
      }
      const delay = backoffDelay(attempt, this.backoff);
      attempt += 1;
      this.resubscriptions += 1;
      this.lastError = failure === undefined ? 'subscription ended' : describe(failure);
      this.state = 'backing-off';
      logger.warn(
        { projector: name, err: failure, retryInMs: delay, lastApplied: this.lastApplied?.toString() ?? null },
        'projector subscription dropped; resubscribing from the stored checkpoint',
      );
      await this.sleep(delay, this.stopSignal.signal);
    }
  }

  private prepared(batch: readonly StoredEvent[]): readonly StoredEvent[] {
    const prepare = this.options.prepare;
    return prepare ? prepareBatch(batch, prepare) : batch;
  }

  private async takeLease(options: LeaseOptions): Promise<boolean> {
    const startedAt = this.now();
    try {
      this.holdsLease = await options.lease.tryAcquire();
    } catch (error) {
      this.holdsLease = false;
      this.lastError = describe(error);
      this.options.logger.warn({ projector: this.options.name, err: error }, 'could not take the projector lease');
    }
    if (this.holdsLease) {
      this.leaseValidUntil = startedAt + options.ttlMs;
      this.options.logger.info({ projector: this.options.name }, 'projector lease taken');
    }
    return this.holdsLease;
  }

  private async renewLease(options: LeaseOptions): Promise<void> {
    if (!this.holdsLease || this.renewing || this.stopping()) return;
    this.renewing = true;
    const startedAt = this.now();
    try {
      if (await options.lease.tryAcquire()) {
        this.leaseValidUntil = startedAt + options.ttlMs;
        return;
      }
      this.holdsLease = false;
    } catch (error) {
      // Keep writing until the local deadline; the next renewal may succeed.
      this.lastError = describe(error);
      this.options.logger.warn({ projector: this.options.name, err: error }, 'could not renew the projector lease');
      return;
    } finally {
      this.renewing = false;
    }
    this.options.logger.warn({ projector: this.options.name }, 'projector lease taken over by another instance');
    await this.closeCurrent();
  }

  private async closeCurrent(): Promise<void> {
    const subscription = this.current;
    this.current = undefined;
    if (!subscription) return;
    await subscription.close().catch((error: unknown) => {
      this.options.logger.debug({ projector: this.options.name, err: error }, 'closing the subscription failed');
    });
  }
}

/**
 * Commands of this process that touch the same boundary stream (a staff member's day) take turns
 * from reading it to appending to it. Without the turns, concurrent bookings of one day all read
 * the same revision, all but one fail the expected-revision check in the store, and each loser
 * reads, decides and appends again: under load most staffed creates did their work twice or more.
 * The event store still enforces the revisions (other processes share it): this only spares the
 * retries that would lose anyway.
 */
export class StreamLocks {
  /** The last holder's turn on each stream with a holder or a waiter; settled turns are removed. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `work` holding every named stream; names are taken in sorted order, so two holders never wait on each other. */
  async hold<T>(names: readonly string[], work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const name of [...new Set(names)].sort()) releases.push(await this.acquire(name));
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  /** Streams with a holder (for tests). */
  get held(): number {
    return this.tails.size;
  }

  private async acquire(name: string): Promise<() => void> {
    const previous = this.tails.get(name);
    let release!: () => void;
    const turn = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous ? previous.then(() => turn) : turn;
    this.tails.set(name, tail);
    if (previous) await previous;
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }
}

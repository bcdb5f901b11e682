/**
 * What a suite's `before` (or `beforeEach`) opens, for its `after` (or `afterEach`) to close, last
 * opened first. Mocha runs `after` even when `before` skipped the suite (no server configured) or
 * failed half-way: closing what was added here closes what was opened, and nothing else.
 */
export class Resources {
  private closers: (() => unknown)[] = [];

  /** Remembers how to close `resource`, and returns it. */
  add<T>(resource: T, close: (resource: T) => unknown): T {
    this.closers.push(() => close(resource));
    return resource;
  }

  /** Closes what was added, last first, and forgets it. */
  async close(): Promise<void> {
    for (const close of this.closers.splice(0).reverse()) await close();
  }
}

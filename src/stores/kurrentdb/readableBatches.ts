/**
 * Turns an object-mode Readable (a KurrentDB subscription) into an async iterable of batches:
 * each batch is whatever the stream has already buffered (up to `maxBatch`), in order. The
 * consumer awaits each batch before the next is read, so events are handled one batch at a time,
 * never concurrently, and the stream's back-pressure holds the rest.
 *
 * Listeners stay attached for the stream's whole life (an 'error' emitted between two reads must
 * not go unhandled); `close()` ends a pending iteration even if the stream never emits 'end'.
 */
import type { Readable } from 'node:stream';

export class ReadableBatches<T> implements AsyncIterable<T[]> {
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly stream: Readable,
    private readonly maxBatch: number,
  ) {
    const notify = () => {
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    };
    stream.on('readable', notify);
    stream.on('end', () => {
      this.ended = true;
      notify();
    });
    stream.on('close', () => {
      this.ended = true;
      notify();
    });
    stream.on('error', (error: Error) => {
      this.failure ??= error;
      notify();
    });
  }

  /** Ends the iteration (a pending wait returns) and destroys the stream. */
  close(): void {
    this.ended = true;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
    if (!this.stream.destroyed) this.stream.destroy();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<T[]> {
    for (;;) {
      // A failure stops the reads (buffered items are not yielded after it) and is thrown once
      // what was read before it has been yielded.
      const batch: T[] = [];
      while (batch.length < this.maxBatch && !this.failure && !this.stream.destroyed) {
        const item = this.stream.read() as T | null;
        if (item === null) break;
        batch.push(item);
      }
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (this.failure) throw this.failure;
      if (this.ended) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

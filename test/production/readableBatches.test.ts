/** How a KurrentDB subscription stream (an object-mode Readable) is consumed by the projector. */
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { ReadableBatches } from '../../src/stores/kurrentdb/readableBatches.js';

const objectStream = () => new PassThrough({ objectMode: true, highWaterMark: 100 });

describe('reading a subscription stream in batches', () => {
  it('hands out what is buffered, in order, at most maxBatch at a time, and ends with the stream', async () => {
    const stream = objectStream();
    for (let i = 1; i <= 5; i += 1) stream.write(i);
    const batches = new ReadableBatches<number>(stream, 2);
    const seen: number[][] = [];
    const reading = (async () => {
      for await (const batch of batches) {
        seen.push(batch);
        if (seen.flat().length === 5) {
          stream.write(6);
          stream.end();
        }
      }
    })();
    await reading;
    expect(seen.flat()).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(seen.slice(0, 3)).to.deep.equal([[1, 2], [3, 4], [5]]);
  });

  it('throws the stream error to the reader, even when it was emitted between two reads', async () => {
    const stream = objectStream();
    const batches = new ReadableBatches<number>(stream, 10);
    stream.write(1);
    const iterator = batches[Symbol.asyncIterator]();
    expect((await iterator.next()).value).to.deep.equal([1]);
    stream.emit('error', new Error('connection reset'));
    let caught: unknown;
    try {
      await iterator.next();
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).message).to.equal('connection reset');
  });

  it('ends a reader waiting for events when closed, and destroys the stream', async () => {
    const stream = objectStream();
    const batches = new ReadableBatches<number>(stream, 10);
    const iterator = batches[Symbol.asyncIterator]();
    const pending = iterator.next();
    batches.close();
    expect(await pending).to.deep.equal({ value: undefined, done: true });
    expect(stream.destroyed).to.equal(true);
  });
});

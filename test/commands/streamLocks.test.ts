/** Turns on named streams: one holder at a time per name, first come first served, never stuck. */
import { expect } from 'chai';
import { StreamLocks } from '../../src/commands/streamLocks.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('stream locks (StreamLocks)', () => {
  it('runs holders of one stream one after another, in the order they asked', async () => {
    const locks = new StreamLocks();
    const log: string[] = [];
    const holder = (name: string) =>
      locks.hold(['day-1'], async () => {
        log.push(`${name} in`);
        await tick();
        log.push(`${name} out`);
        return name;
      });
    expect(await Promise.all([holder('a'), holder('b'), holder('c')])).to.deep.equal(['a', 'b', 'c']);
    expect(log).to.deep.equal(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
    expect(locks.held).to.equal(0);
  });

  it('lets holders of different streams run at the same time', async () => {
    const locks = new StreamLocks();
    let inside = 0;
    let most = 0;
    await Promise.all(
      ['day-1', 'day-2', 'day-3'].map((name) =>
        locks.hold([name], async () => {
          inside += 1;
          most = Math.max(most, inside);
          await tick();
          inside -= 1;
        }),
      ),
    );
    expect(most).to.equal(3);
  });

  it('never deadlocks two holders that name the same streams in opposite orders', async () => {
    const locks = new StreamLocks();
    const results = await Promise.all([
      locks.hold(['day-1', 'day-2'], async () => {
        await tick();
        return 'first';
      }),
      locks.hold(['day-2', 'day-1'], async () => {
        await tick();
        return 'second';
      }),
    ]);
    expect(results).to.deep.equal(['first', 'second']);
    expect(locks.held).to.equal(0);
  });

  it('gives the turn on when the work throws, and passes the error to its caller', async () => {
    const locks = new StreamLocks();
    const failed = locks.hold(['day-1', 'day-1'], async () => {
      await tick();
      throw new Error('refused');
    });
    const next = locks.hold(['day-1'], async () => 'next');
    const [first, second] = await Promise.allSettled([failed, next]);
    expect(first.status === 'rejected' && (first.reason as Error).message).to.equal('refused');
    expect(second).to.deep.equal({ status: 'fulfilled', value: 'next' });
    expect(locks.held).to.equal(0);
  });

  it('runs the work at once when no stream is named', async () => {
    const locks = new StreamLocks();
    expect(await locks.hold([], async () => 42)).to.equal(42);
  });
});

import { expect } from 'chai';
import { decodePosition, encodePosition } from '../../src/stores/mongodb/positions.js';

describe('checkpoint positions stored in MongoDB', () => {
  const samples = [0n, 1n, 9n, 10n, 4096n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 18n, 2n ** 63n, 2n ** 64n - 1n];

  it('round-trips every position exactly, including values above 2^53 and the 64-bit maximum', () => {
    for (const position of samples) {
      const stored = encodePosition(position);
      expect(stored).to.have.length(20);
      expect(decodePosition(stored)).to.equal(position);
    }
    // A double would have rounded these two to the same value.
    expect(encodePosition(2n ** 53n + 1n)).to.not.equal(encodePosition(2n ** 53n));
  });

  it('sorts as strings in the same order as the positions', () => {
    const shuffled = [...samples.slice(5).reverse(), ...samples.slice(0, 5)];
    const byString = shuffled.map(encodePosition).sort();
    expect(byString.map(decodePosition)).to.deep.equal(samples);
    for (let i = 1; i < samples.length; i += 1) {
      expect(encodePosition(samples[i - 1]!) < encodePosition(samples[i]!)).to.equal(true);
    }
  });

  it('rejects a negative position or one above 2^64 - 1', () => {
    expect(() => encodePosition(-1n)).to.throw(RangeError);
    expect(() => encodePosition(2n ** 64n)).to.throw(RangeError);
  });

  it('rejects a stored value that is not a 20-digit decimal string', () => {
    for (const bad of ['123', '0000000000000000001x', 123, null, { $gt: '' }, '-0000000000000000001']) {
      expect(() => decodePosition(bad)).to.throw(TypeError);
    }
  });
});

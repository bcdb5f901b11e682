/**
 * Global positions (KurrentDB commit positions are unsigned 64-bit) stored in MongoDB as
 * zero-padded decimal strings: they round-trip exactly (a double would lose precision above 2^53)
 * and sort as strings in numeric order, so `$lt`/`$gte` on the stored form compare positions.
 */
const width = 20; // 2^64 - 1 = 18446744073709551615 has 20 digits
const maxPosition = (1n << 64n) - 1n;
const stored = /^\d{20}$/;

export const encodePosition = (position: bigint): string => {
  if (position < 0n || position > maxPosition) throw new RangeError(`position ${position.toString()} is outside 0..2^64-1`);
  return position.toString(10).padStart(width, '0');
};

export const decodePosition = (value: unknown): bigint => {
  if (typeof value !== 'string' || !stored.test(value))
    throw new TypeError(`stored position ${String(value)} is not a 20-digit decimal string`);
  return BigInt(value);
};

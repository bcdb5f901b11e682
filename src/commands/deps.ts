/** What command handlers need from the outside world; injected, never imported as singletons. */
import { randomFillSync } from 'node:crypto';
import { ObjectId } from 'bson';

export type Clock = () => Date;

export interface IdGenerator {
  /** A new 24-hex lowercase ObjectId. */
  objectId(): string;
  /** A new UUID (event ids). */
  uuid(): string;
}

export const systemClock: Clock = () => new Date();

/**
 * Version 7 UUIDs (RFC 9562): a 48-bit millisecond timestamp, then 74 random bits. The stores
 * index event ids (unique); time-ordered ids are inserted at the end of that index instead of on
 * a random page of it, so appending costs the same with a million events in the log as with none.
 */
const pool = Buffer.alloc(16 * 256);
let poolOffset = pool.length;
export const uuidV7 = (now: number = Date.now()): string => {
  if (poolOffset === pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  b.writeUIntBE(now, 0, 6);
  b.writeUInt8((b.readUInt8(6) & 0x0f) | 0x70, 6);
  b.writeUInt8((b.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

export const systemIds: IdGenerator = {
  objectId: () => new ObjectId().toHexString(),
  uuid: () => uuidV7(),
};

/** What command handlers need from the outside world; injected, never imported as singletons. */
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'bson';

export type Clock = () => Date;

export interface IdGenerator {
  /** A new 24-hex lowercase ObjectId. */
  objectId(): string;
  /** A new random UUID (event ids, request ids). */
  uuid(): string;
}

export const systemClock: Clock = () => new Date();

export const systemIds: IdGenerator = {
  objectId: () => new ObjectId().toHexString(),
  uuid: () => randomUUID(),
};

/**
 * A MongoDB outage as the API sees it: a read that cannot reach a server within the short
 * server-selection / operation timeout becomes a 503 (StoreUnavailableError, with Retry-After)
 * instead of a request that blocks or a 500.
 */
import { MongoNetworkError, MongoOperationTimeoutError, MongoServerSelectionError, MongoTopologyClosedError } from 'mongodb';
import { StoreUnavailableError } from '../../errors.js';

/** Server selection and each API read give up after this long (the client is built with it, see openReadSide). */
export const mongoOperationTimeoutMs = 2_000;

/** What a client is told to wait before retrying (Retry-After). */
const retryAfterSeconds = 5;

/** No server within the timeout, a dropped connection, an operation past its time limit, or a client shut down (closing the service). */
export const isOutage = (error: unknown): boolean =>
  error instanceof MongoServerSelectionError ||
  error instanceof MongoNetworkError ||
  error instanceof MongoOperationTimeoutError ||
  error instanceof MongoTopologyClosedError;

export const translateOutage = async <T>(operation: () => Promise<T>): Promise<T> => {
  try {
    return await operation();
  } catch (error) {
    if (isOutage(error)) throw new StoreUnavailableError('MongoDB', retryAfterSeconds, error);
    throw error;
  }
};

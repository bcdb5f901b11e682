/**
 * A KurrentDB outage as the API sees it: a call that finds no server (or none within the
 * client's deadline) becomes a 503 (StoreUnavailableError, with Retry-After) instead of a 500.
 * The client reports it as its UnavailableError / DeadlineExceededError, and on some paths (an
 * append to an unreachable node) as the raw gRPC error (status 14 UNAVAILABLE, 4 DEADLINE_EXCEEDED).
 */
import { DeadlineExceededError, UnavailableError } from '@kurrent/kurrentdb-client';
import { StoreUnavailableError } from '../../errors.js';

const grpcUnavailable = 14;
const grpcDeadlineExceeded = 4;
const retryAfterSeconds = 5;

export const isKurrentOutage = (error: unknown): boolean => {
  if (error instanceof UnavailableError || error instanceof DeadlineExceededError) return true;
  if (!(error instanceof Error) || 'type' in error) return false;
  const code = (error as { code?: unknown }).code;
  return code === grpcUnavailable || code === grpcDeadlineExceeded;
};

/** The error to throw for `error`: a StoreUnavailableError for an outage, `error` itself otherwise. */
export const kurrentOutage = (error: unknown): unknown =>
  isKurrentOutage(error) ? new StoreUnavailableError('KurrentDB', retryAfterSeconds, error) : error;

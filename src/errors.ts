/**
 * Typed errors shared by every layer. The HTTP layer maps them to problem+json in one place;
 * nothing else decides a status code.
 */
export interface FieldError {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  constructor(
    message: string,
    readonly errors?: FieldError[],
    /** Problems found beyond those listed in `errors` (lists are capped at `maxListedErrors`). */
    readonly errorsNotListed = 0,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Members the problem body carries besides the standard ones (RFC 9457 extensions). */
  problemExtensions(): Record<string, unknown> {
    return {};
  }

  /** Response headers the problem answer carries. */
  problemHeaders(): Record<string, string> {
    return {};
  }
}

/** An error body names at most this many problems, then says how many more there were. */
export const maxListedErrors = 100;

/** 400: the request is malformed or a field is invalid. */
export class ValidationError extends AppError {
  readonly code = 'validation-error';
  readonly status = 400;
}

/** 401: no usable credentials. */
export class AuthError extends AppError {
  readonly code = 'unauthorized';
  readonly status = 401;
}

/** 403: authenticated, but not allowed to do this here. */
export class ForbiddenError extends AppError {
  readonly code = 'forbidden';
  readonly status = 403;
}

/** 404: something the request names does not exist (in this workspace). */
export class NotFoundError extends AppError {
  readonly code = 'not-found';
  readonly status = 404;
}

/** 409: a concurrent write won; retrying the request is safe. */
export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly status = 409;
}

/** 428: a change to an existing resource came without If-Match. */
export class PreconditionRequiredError extends AppError {
  readonly code = 'precondition-required';
  readonly status = 428;
}

/** 412: If-Match names a version the resource is no longer at; the body and ETag give the current one. */
export class PreconditionFailedError extends AppError {
  readonly code = 'precondition-failed';
  readonly status = 412;
  constructor(
    message: string,
    readonly currentVersion: number,
  ) {
    super(message);
  }

  override problemExtensions(): Record<string, unknown> {
    return { currentVersion: this.currentVersion };
  }

  override problemHeaders(): Record<string, string> {
    return { ETag: `"${this.currentVersion}"` };
  }
}

/** 422: the request is well-formed but breaks a business rule. */
export class BusinessRuleError extends AppError {
  readonly code = 'business-rule-violation';
  readonly status = 422;
}

/** 422: an Idempotency-Key was reused with a different request body. */
export class IdempotencyKeyReusedError extends AppError {
  readonly code = 'idempotency-key-reused';
  readonly status = 422;
}

/** 413: the body is larger than the configured limit. */
export class PayloadTooLargeError extends AppError {
  readonly code = 'payload-too-large';
  readonly status = 413;
}

/** 415: the body is not JSON. */
export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'unsupported-media-type';
  readonly status = 415;
}

/** 503: a store does not answer now (down, restarting, or out of connections); retrying later is safe. */
export class StoreUnavailableError extends AppError {
  readonly code = 'store-unavailable';
  readonly status = 503;
  constructor(
    store: string,
    /** Sent as Retry-After. */
    readonly retryAfterSeconds: number,
    cause?: unknown,
  ) {
    super(`The ${store} store is unavailable right now; retry the request in a few seconds.`);
    if (cause !== undefined) this.cause = cause;
  }

  override problemHeaders(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

/** 405: the path exists but not with this method; `allow` lists the methods it has. */
export class MethodNotAllowedError extends AppError {
  readonly code = 'method-not-allowed';
  readonly status = 405;
  constructor(
    message: string,
    readonly allow: readonly string[],
  ) {
    super(message);
  }

  override problemHeaders(): Record<string, string> {
    return { Allow: this.allow.join(', ') };
  }
}

/** 429: the caller spent its request budget; it may retry after `retryAfterSeconds`. */
export class TooManyRequestsError extends AppError {
  readonly code = 'too-many-requests';
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }

  override problemHeaders(): Record<string, string> {
    return { 'Retry-After': String(this.retryAfterSeconds) };
  }
}

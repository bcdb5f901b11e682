/**
 * Request values never reach a MongoDB filter as anything but a plain, well-formed string: an id
 * that is not one (an object such as `{ "$gt": "" }`, a string with `$` or `.`) is rejected
 * before a filter is built.
 */

/** Ids the service generates are 24-hex ObjectIds; the port also accepts other simple tokens. */
const safeId = /^[A-Za-z0-9_-]{1,128}$/;
const collectionName = /^[a-z][a-z0-9_]{0,62}$/;

export const isSafeId = (value: unknown): value is string => typeof value === 'string' && safeId.test(value);

export class InvalidIdError extends Error {
  readonly code = 'invalid-id';
  constructor(what: string, value: unknown) {
    super(`${what} is not a valid id: ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value}`);
    this.name = 'InvalidIdError';
  }
}

export const requireSafeId = (what: string, value: unknown): string => {
  if (!isSafeId(value)) throw new InvalidIdError(what, value);
  return value;
};

export const requireCollectionName = (name: string): string => {
  if (!collectionName.test(name)) throw new Error(`invalid collection name ${name}`);
  return name;
};

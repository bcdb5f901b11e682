/**
 * Runs a yup schema in strict mode (no silent coercion) and turns every failure, plus every
 * unknown property, into one ValidationError listing all failing fields.
 */
import * as yup from 'yup';
import { ValidationError as YupValidationError, type ObjectSchema, type AnyObject } from 'yup';
import { ValidationError, type FieldError } from '../errors.js';

// Messages name no path: the path is reported beside them in `errors`.
yup.setLocale({
  mixed: {
    notType: ({ type }: { type: string }) => `must be ${type === 'array' ? 'an array' : type === 'object' ? 'an object' : `a ${type}`}`,
  },
});

export const objectIdPattern = /^[0-9a-f]{24}$/;
export const objectIdMessage = 'must be a 24-character lowercase hexadecimal id';

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Length of a name after trimming, counted in code points so any script measures alike. */
export const trimmedLength = (value: string): number => [...value.trim()].length;

export const validate = <T extends AnyObject>(schema: ObjectSchema<T>, input: unknown, allowed: readonly string[]): T => {
  if (!isPlainObject(input)) {
    throw new ValidationError('The request body must be a JSON object.', [{ path: '', message: 'must be a JSON object' }]);
  }
  const errors: FieldError[] = Object.keys(input)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ path: key, message: 'is not an allowed property' }));
  try {
    schema.validateSync(input, { abortEarly: false, strict: true });
  } catch (error) {
    if (!(error instanceof YupValidationError)) throw error;
    // One message per field: the first rule it breaks (an empty string is "required", not also "malformed").
    const seen = new Set<string>();
    for (const inner of error.inner.length > 0 ? error.inner : [error]) {
      const path = inner.path ?? '';
      if (!seen.has(path)) {
        seen.add(path);
        errors.push({ path, message: inner.errors[0] ?? inner.message });
      }
    }
  }
  if (errors.length > 0) {
    const fields = errors.map((e) => e.path || '(body)').join(', ');
    throw new ValidationError(`The request has invalid fields: ${fields}.`, errors);
  }
  return input as T;
};

/** A display name: any Unicode, 1..200 characters after trimming. */
export const nameField = () =>
  yup
    .string()
    .required('is required')
    .test('name-length', 'must be 1 to 200 characters after trimming', (v) => v === undefined || (trimmedLength(v) >= 1 && trimmedLength(v) <= 200));

export const emailField = () => yup.string().email('must be an email address').max(320, 'must be at most 320 characters').nullable();

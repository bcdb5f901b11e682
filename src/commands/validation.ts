/**
 * Runs a yup schema in strict mode (no silent coercion) and turns every failure, plus every
 * unknown property, into one ValidationError listing the failing fields.
 *
 * Work per request is bounded before yup sees the body: the declared limits (array lengths, string
 * lengths) are checked first, in time that does not grow with the size of what is refused, and a
 * field that breaks one is left out of the schema's checks (no per-element work on a 250,000-item
 * array, no code-point count of a megabyte name); the other fields are still checked, so one 400
 * lists every failing field. Every string is checked to be well-formed Unicode without NUL
 * characters. At most `maxListedErrors` problems are listed, with the count of the rest.
 */
import * as yup from 'yup';
import { ValidationError as YupValidationError, type ObjectSchema, type AnyObject } from 'yup';
import { maxListedErrors, ValidationError, type FieldError } from '../errors.js';

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
// eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points on purpose: the documented limits count them, not graphemes
export const trimmedLength = (value: string): number => [...value.trim()].length;

/** A cheap bound checked before the schema runs. Only the kinds that apply are checked. */
export interface FieldLimit {
  /** A string longer than this many UTF-16 code units is refused with `message`. */
  maxLength?: number;
  /** An array with more elements than this is refused with `message`, its elements unread. */
  maxItems?: number;
  message: string;
  /** Limits of each element's properties, for an array of objects within `maxItems`. */
  items?: Record<string, FieldLimit>;
}

export type FieldLimits = Record<string, FieldLimit>;

/** Collects problems, keeping the first `maxListedErrors` and counting the rest. */
class Problems {
  readonly listed: FieldError[] = [];
  notListed = 0;
  private readonly paths = new Set<string>();
  /** One message per path: the first rule it breaks. */
  add(path: string, message: string): void {
    if (this.paths.has(path)) return;
    this.paths.add(path);
    if (this.listed.length < maxListedErrors) this.listed.push({ path, message });
    else this.notListed++;
  }
  has(path: string): boolean {
    return this.paths.has(path);
  }
  get count(): number {
    return this.listed.length + this.notListed;
  }
  fail(): never {
    const paths = [...new Set(this.listed.map((e) => e.path || '(body)'))];
    const shown = paths.slice(0, 10).join(', ');
    const more = this.count - Math.min(paths.length, 10);
    const fields = more > 0 && paths.length > 10 ? `${shown} and ${more} more` : shown;
    const tail = this.notListed > 0 ? ` (${this.count} problems; the first ${this.listed.length} are listed)` : '';
    throw new ValidationError(`The request has invalid fields: ${fields}.${tail}`, this.listed, this.notListed);
  }
}

/** True when the field itself breaks its limit (and must be kept from the schema). */
const checkLimit = (problems: Problems, path: string, value: unknown, limit: FieldLimit): boolean => {
  if (typeof value === 'string' && limit.maxLength !== undefined && value.length > limit.maxLength) {
    problems.add(path, limit.message);
    return true;
  }
  if (Array.isArray(value) && limit.maxItems !== undefined) {
    if (value.length > limit.maxItems) {
      problems.add(path, limit.message);
      return true;
    }
    if (limit.items) {
      const itemLimits = Object.entries(limit.items);
      value.forEach((element, i) => {
        if (!isPlainObject(element)) return;
        for (const [key, itemLimit] of itemLimits) checkLimit(problems, `${path}[${i}].${key}`, element[key], itemLimit);
      });
    }
  }
  return false;
};

// A lone surrogate cannot be stored as UTF-8 text; NUL ends strings in too many tools downstream.
const textMessage = 'must be well-formed Unicode text (no lone surrogates, no NUL characters)';
// Native in Node 20 (ES2024), not yet in the TypeScript lib this project targets.
const isWellFormed = (value: string): boolean => (value as unknown as { isWellFormed(): boolean }).isWellFormed();

const checkText = (problems: Problems, path: string, value: unknown): void => {
  if (typeof value === 'string') {
    if (value.includes('\u0000') || !isWellFormed(value)) problems.add(path, textMessage);
  } else if (Array.isArray(value)) {
    value.forEach((element, i) => {
      checkText(problems, `${path}[${i}]`, element);
    });
  } else if (isPlainObject(value)) {
    for (const [key, element] of Object.entries(value)) checkText(problems, `${path}.${key}`, element);
  }
};

export const validate = <T extends AnyObject>(
  schema: ObjectSchema<T>,
  input: unknown,
  allowed: readonly string[],
  limits: FieldLimits = {},
): T => {
  if (!isPlainObject(input)) {
    throw new ValidationError('The request body must be a JSON object.', [{ path: '', message: 'must be a JSON object' }]);
  }
  const problems = new Problems();
  for (const key in input) {
    if (!allowed.includes(key)) problems.add(key, 'is not an allowed property');
  }
  const oversized = Object.entries(limits)
    .filter(([key, limit]) => checkLimit(problems, key, input[key], limit))
    .map(([key]) => key);
  for (const key of allowed) if (!oversized.includes(key)) checkText(problems, key, input[key]);

  try {
    const checked = oversized.length === 0 ? schema : schema.omit(oversized);
    checked.validateSync(input, { abortEarly: false, strict: true });
  } catch (error) {
    if (!(error instanceof YupValidationError)) throw error;
    // One message per field: the first rule it breaks (an empty string is "required", not also "malformed").
    for (const inner of error.inner.length > 0 ? error.inner : [error]) problems.add(inner.path ?? '', inner.errors[0] ?? inner.message);
  }
  if (problems.count > 0) problems.fail();
  return input as T;
};

const nameMessage = 'must be 1 to 200 characters after trimming';

/** Longer than any name that can pass (200 code points after trimming), so checking it first refuses nothing valid in practice. */
export const nameLimit: FieldLimit = { maxLength: 1000, message: nameMessage };

// Names are shown in lists, calendars and exports: no control characters at all (tabs and newlines included).
const controlCharacter = /[\p{Cc}\p{Cs}]/u;

/**
 * A display name: any Unicode, 1..200 characters after trimming, no control characters or lone surrogates.
 * A PATCH schema makes it `.optional()`, and then an absent name reaches the tests as undefined.
 */
export const nameField = () =>
  yup
    .string()
    .required('is required')
    .test(
      'name-text',
      'must not contain control characters or lone surrogates',
      (v: string | undefined) => v === undefined || !controlCharacter.test(v.trim()),
    )
    .test('name-length', nameMessage, (v: string | undefined) => v === undefined || (trimmedLength(v) >= 1 && trimmedLength(v) <= 200));

/** Names are stored trimmed and in Unicode normalization form C, so "é" typed two ways is one name. */
export const normalizeName = (name: string): string => name.trim().normalize('NFC');

// Free text (notes, reasons) may break lines and use tabs, nothing else below U+0020.
// eslint-disable-next-line no-control-regex -- finding control characters is what this pattern is for
const freeTextControl = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\p{Cs}]/u;

/**
 * Free text such as a note or a reason: at most `max` characters, line breaks and tabs allowed.
 * Callers make it `.nullable()`, and then a null reaches the test as it is.
 */
export const freeTextField = (max: number) =>
  yup
    .string()
    .max(max, `must be at most ${max} characters`)
    .test(
      'free-text',
      'must not contain control characters (other than tab and line breaks) or lone surrogates',
      (v: string | null | undefined) => v === undefined || v === null || !freeTextControl.test(v),
    );

/** Free text as stored: trimmed, and null when nothing is left (a blank note is no note). */
export const trimmedOrNull = (text: string | null | undefined): string | null => {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
};

export const emailField = () => yup.string().email('must be an email address').max(320, 'must be at most 320 characters').nullable();

export const emailLimit: FieldLimit = { maxLength: 320, message: 'must be at most 320 characters' };

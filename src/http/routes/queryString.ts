/**
 * How every route reads its query string: a parameter it does not know, or one given twice, is an
 * error; a page limit is a whole number in range; and every problem goes into one 400.
 */
import { ValidationError, type FieldError } from '../../errors.js';

export type RawQuery = Record<string, string | string[] | undefined>;

export class QueryReader {
  readonly errors: FieldError[] = [];

  constructor(
    private readonly raw: RawQuery,
    known: readonly string[],
  ) {
    for (const name of Object.keys(raw)) if (!known.includes(name)) this.fail(name, 'is not a known parameter');
  }

  fail(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  /** The parameter's one value; a repeat is an error (and reads as absent). */
  single(name: string): string | undefined {
    const value = this.raw[name];
    if (Array.isArray(value)) {
      this.fail(name, 'must be given at most once');
      return undefined;
    }
    return value;
  }

  /** `limit`, a whole number from 1 to `max`; undefined when absent or invalid (then an error). */
  limit(max: number): number | undefined {
    const limit = this.single('limit');
    if (limit === undefined) return undefined;
    const n = /^\d{1,4}$/.test(limit) ? Number(limit) : NaN;
    if (n >= 1 && n <= max) return n;
    this.fail('limit', `must be a whole number from 1 to ${max}`);
    return undefined;
  }

  /** Throws the one 400 naming every bad parameter, if there is any. */
  throwIfInvalid(): void {
    if (this.errors.length === 0) return;
    throw new ValidationError(`The query has invalid parameters: ${[...new Set(this.errors.map((e) => e.path))].join(', ')}.`, this.errors);
  }
}

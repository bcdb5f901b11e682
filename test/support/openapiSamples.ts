/**
 * Request samples generated from the OpenAPI document: for a request body or a query parameter,
 * a value the document calls valid (built from each field's `examples`), and values that each
 * break exactly one constraint the document states (checked with Ajv: the sample fails that
 * keyword and nothing else). test/http/openapi.test.ts sends them to the service, which must
 * accept the first and refuse every other with a 400 naming the field: so a constraint the
 * document states and the validator does not enforce, or the reverse for the examples, fails.
 * Deterministic and bounded: at most three samples per constraint.
 */
import { document, schemaAt } from './openapi.js';

type Json = Record<string, unknown>;

export interface Violation {
  /** The keyword broken and where, e.g. `maxLength at name`. */
  label: string;
  value: unknown;
  /** The field a 400 must name ('' for the body as a whole). */
  path: string;
  /** Another field the 400 may name instead. */
  or?: string;
}

/** Follows `$ref`s into the document's components. */
export const deref = (schema: Json): Json => {
  const target = schema.$ref;
  if (typeof target !== 'string') return schema;
  let node: unknown = document;
  for (const part of target.slice(2).split('/')) node = (node as Json)[part];
  return deref(node as Json);
};

const typesOf = (schema: Json): string[] => (Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string]);

/** A value the schema accepts: its example, else built from its parts (all properties, or only the required ones). */
export const validSample = (raw: Json, mode: 'all' | 'required' = 'all'): unknown => {
  const schema = deref(raw);
  if (Array.isArray(schema.examples)) return schema.examples[0];
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const types = typesOf(schema);
  if (types.includes('object')) {
    const properties = (schema.properties ?? {}) as Record<string, Json>;
    const required = (schema.required ?? []) as string[];
    const keys = mode === 'all' ? Object.keys(properties) : required;
    return Object.fromEntries(keys.map((key) => [key, validSample(properties[key]!, mode)]));
  }
  if (types.includes('array')) return [validSample(schema.items as Json, mode)];
  if (types.includes('null')) return null;
  throw new Error(`no example to build a valid sample from: ${JSON.stringify(schema).slice(0, 200)}`);
};

const jsonType = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;

const allows = (types: string[], value: unknown): boolean => {
  const type = jsonType(value);
  return types.includes(type) || (type === 'integer' && types.includes('number'));
};

const without = (object: Json, key: string): Json => Object.fromEntries(Object.entries(object).filter(([k]) => k !== key));

const at = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/** Candidates for a string that breaks `pattern` or a length while keeping the rest of the schema. */
const stringCandidates = (example: string, schema: Json): string[] => {
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : 0;
  const over = max + 1;
  return [
    '',
    ' ',
    '!',
    'a\u0001b',
    `${example}\u0000`,
    `${example}\ud800`,
    `!${example}`,
    ' '.repeat(over) + example,
    'a'.repeat(over) + example,
    'A'.repeat(over),
    'a'.repeat(over),
    example.padEnd(over, example),
  ];
};

/** Distinct valid elements for an array that must not repeat one. */
const element = (items: Json, i: number): unknown => {
  const value = validSample(items);
  if (typeof value === 'string' && /^[0-9a-f]{24}$/.test(value)) return i.toString(16).padStart(24, '0');
  if (value !== null && typeof value === 'object' && 'fieldKey' in value) return { ...value, fieldKey: `key-${i}` };
  return value;
};

/**
 * Values that break one keyword of `raw` each (the value of a property at `path`). The caller
 * puts each into an otherwise valid body and keeps only those that Ajv refuses for that keyword.
 */
export const valueViolations = (raw: Json, path: string): (Violation & { keyword: string })[] => {
  const schema = deref(raw);
  const types = typesOf(schema);
  // An opaque value (a cursor) has no example: its violations are built from nothing.
  const example = Array.isArray(schema.examples) || !types.includes('string') ? validSample(schema) : '';
  const out: (Violation & { keyword: string })[] = [];
  const add = (keyword: string, value: unknown, where = path) => out.push({ keyword, label: `${keyword} at ${where}`, value, path: where });
  const wrong = [12345, 'text', true, { object: true }, ['array']].find((v) => !allows(types, v));
  if (wrong !== undefined) add('type', wrong);
  if (!types.includes('null')) add('type', null);
  if (types.includes('integer') && !types.includes('number')) add('type', 1.5);
  if (typeof schema.minimum === 'number') add('minimum', schema.minimum - 1);
  if (typeof schema.maximum === 'number') add('maximum', schema.maximum + 1);
  if (Array.isArray(schema.enum)) add('enum', `${String(schema.enum[0])}-not-listed`);
  if ('const' in schema) add('const', typeof schema.const === 'boolean' ? !schema.const : `${String(schema.const)}-other`);
  if (types.includes('string') && typeof example === 'string') {
    if (typeof schema.minLength === 'number' && schema.minLength > 0) add('minLength', 'x'.repeat(schema.minLength - 1));
    for (const keyword of ['maxLength', 'pattern'] as const) {
      if (schema[keyword] === undefined) continue;
      for (const candidate of stringCandidates(example, schema)) add(keyword, candidate);
    }
  }
  if (types.includes('array')) {
    const items = schema.items as Json;
    if (typeof schema.minItems === 'number' && schema.minItems > 0) add('minItems', []);
    if (typeof schema.maxItems === 'number')
      add(
        'maxItems',
        Array.from({ length: schema.maxItems + 1 }, (_, i) => element(items, i)),
      );
    if (schema.uniqueItems === true) add('uniqueItems', [element(items, 0), element(items, 0)]);
    for (const inner of objectViolations(items, `${path}[0]`)) out.push({ ...inner, value: [inner.value] });
  }
  return out;
};

/** Violations of an object schema: its own keywords (type, required, unknown properties, dependencies, if/then), then its properties'. */
export const objectViolations = (raw: Json, path = ''): (Violation & { keyword: string })[] => {
  const schema = deref(raw);
  const types = typesOf(schema);
  if (!types.includes('object')) return valueViolations(schema, path);
  const base = validSample(schema) as Json;
  const out: (Violation & { keyword: string })[] = [];
  const add = (keyword: string, value: unknown, where: string) =>
    out.push({ keyword, label: `${keyword} at ${where || '(body)'}`, value, path: where });
  const wrong = [12345, 'text', ['array']].find((v) => !allows(types, v));
  if (wrong !== undefined) add('type', wrong, path);
  if (!types.includes('null')) add('type', null, path);
  for (const key of (schema.required ?? []) as string[]) {
    add('required', without(base, key), at(path, key));
  }
  if (schema.additionalProperties === false) add('additionalProperties', { ...base, unknownField: 1 }, at(path, 'unknownField'));
  if (schema.maxProperties === 0) add('maxProperties', { unknownField: 1 }, at(path, 'unknownField'));
  for (const [key, needed] of Object.entries((schema.dependentRequired ?? {}) as Record<string, string[]>)) {
    for (const other of needed) {
      const rest = without(base, other);
      // The validator may name either: the field missing, or the one that needs it.
      out.push({
        keyword: 'dependentRequired',
        label: `dependentRequired at ${at(path, other)}`,
        value: { ...rest, [key]: base[key] },
        path: at(path, other),
        or: at(path, key),
      });
    }
  }
  const condition = schema.if as Json | undefined;
  if (condition) {
    // The `then` part applies once the condition's constants hold.
    const when = Object.fromEntries(Object.entries((condition.properties ?? {}) as Record<string, Json>).map(([k, s]) => [k, s.const]));
    const then = schema.then as Json;
    const prefix = `when ${JSON.stringify(when)}: `;
    for (const key of (then.required ?? []) as string[]) {
      out.push({
        keyword: 'required',
        label: `${prefix}required at ${at(path, key)}`,
        value: without({ ...base, ...when }, key),
        path: at(path, key),
      });
    }
    for (const [key, property] of Object.entries((then.properties ?? {}) as Record<string, Json>)) {
      for (const v of valueViolations({ ...deref((schema.properties as Record<string, Json>)[key]!), ...property }, at(path, key))) {
        out.push({ ...v, label: prefix + v.label, value: { ...base, ...when, [key]: v.value } });
      }
    }
  }
  for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    for (const v of valueViolations(property, at(path, key))) out.push({ ...v, value: { ...base, [key]: v.value } });
  }
  return out;
};

const instancePathOf = (path: string): string =>
  path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((segment) => segment !== '')
    .map((segment) => `/${segment}`)
    .join('');

const parentOf = (path: string): string => {
  const cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
  return cut < 0 ? '' : path.slice(0, cut);
};

// Keywords Ajv reports at the object that holds the field, not at the field.
const objectKeywords = new Set(['required', 'dependentRequired', 'additionalProperties', 'maxProperties']);

export interface Samples {
  violations: Violation[];
  /** Constraints for which no candidate breaks that constraint alone: the document states something this cannot check. */
  unsampled: string[];
}

/**
 * Keeps, per constraint, at most `perConstraint` candidates that the schema at `pointer` refuses
 * for that keyword alone. `wrap` turns a candidate into what the schema validates.
 */
export const checkedViolations = (
  pointer: string,
  candidates: readonly (Violation & { keyword: string })[],
  options: { wrap?: (value: unknown) => unknown; perConstraint?: number } = {},
): Samples => {
  const validate = schemaAt(pointer);
  const wrap = options.wrap ?? ((value: unknown) => value);
  const perConstraint = options.perConstraint ?? 3;
  const kept = new Map<string, Violation[]>();
  for (const candidate of candidates) {
    const list = kept.get(candidate.label) ?? [];
    kept.set(candidate.label, list);
    if (list.length >= perConstraint || validate(wrap(candidate.value))) continue;
    const errors = validate.errors ?? [];
    const where = instancePathOf(objectKeywords.has(candidate.keyword) ? parentOf(candidate.path) : candidate.path);
    // A value of the wrong type breaks an enum or a const too.
    const companions = candidate.keyword === 'type' ? ['if', 'enum', 'const'] : ['if'];
    const alone = errors.every((e) => e.keyword === candidate.keyword || companions.includes(e.keyword));
    if (!alone || !errors.some((e) => e.keyword === candidate.keyword && e.instancePath === where)) continue;
    if (list.some((v) => JSON.stringify(v.value) === JSON.stringify(candidate.value))) continue;
    list.push({ label: candidate.label, value: candidate.value, path: candidate.path, ...(candidate.or ? { or: candidate.or } : {}) });
  }
  return {
    violations: [...kept.values()].flat(),
    unsampled: [...kept.entries()].filter(([, list]) => list.length === 0).map(([label]) => label),
  };
};

/**
 * Valid bodies with one property at a documented bound (its longest string, most elements,
 * smallest and largest number), kept only where the schema at `pointer` accepts them: the service
 * must accept them too, so a bound the document states looser than the validator fails.
 */
export const boundarySamples = (pointer: string, raw: Json): { label: string; value: unknown }[] => {
  const schema = deref(raw);
  const validate = schemaAt(pointer);
  const base = validSample(schema) as Json;
  const out: { label: string; value: unknown }[] = [];
  for (const [key, property] of Object.entries((schema.properties ?? {}) as Record<string, Json>)) {
    const p = deref(property);
    // A field whose valid values are a list kept elsewhere (`x-values`: time zone names) has no bound to try.
    if (p['x-values'] !== undefined) continue;
    const example = validSample(p);
    const values: [string, unknown][] = [];
    if (typeof p.minimum === 'number') values.push(['minimum', p.minimum]);
    if (typeof p.maximum === 'number') values.push(['maximum', p.maximum]);
    if (typeof p.maxItems === 'number')
      values.push(['maxItems', Array.from({ length: p.maxItems }, (_, i) => element(p.items as Json, i))]);
    if (typeof p.maxLength === 'number' && typeof example === 'string') {
      const max = p.maxLength;
      const fill = max - example.length;
      for (const candidate of [' '.repeat(fill) + example, 'a'.repeat(fill) + example, 'a'.repeat(max), 'A'.repeat(max)]) {
        values.push(['maxLength', candidate]);
      }
    }
    const found = new Set<string>();
    for (const [keyword, value] of values) {
      if (found.has(keyword) || !validate({ ...base, [key]: value })) continue;
      found.add(keyword);
      out.push({ label: `${keyword} at ${key}`, value: { ...base, [key]: value } });
    }
  }
  return out;
};

/**
 * The request fields of the OpenAPI document, each stated as the validators in src/commands and
 * the query parsers in src/http/routes check it: the same lengths (counted, as there, after
 * trimming where the validator trims), the same characters, the same nullability. Every field
 * carries an `examples` value the service accepts: test/http/openapiRequests.test.ts sends
 * bodies and queries built from them, and one breaking each stated constraint, so the document and
 * the validators cannot drift apart unnoticed. Patterns are ECMA-262 with the `u` flag (as OpenAPI
 * 3.1 tools compile them); lengths are code points, where the validators count UTF-16 code units:
 * the two differ only for characters outside the Basic Multilingual Plane (emoji and the like),
 * which count twice there.
 */
import { timeOfDay } from '../../commands/calendar.js';
import { disambiguations } from '../../commands/schedule.js';
import { maxDurationMinutes } from '../../commands/sessionRules.js';
import { objectIdPattern } from '../../commands/validation.js';
import { cancellationReasons, sessionStatuses } from '../../events/session.js';

type Schema = Record<string, unknown>;

export const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type, 'null'] });

// No string of a request body may hold a NUL or a lone surrogate (validation.ts checks them all).
const unstorable = '\\u0000\\p{Cs}';
// Names hold no control character at all once trimmed (tabs and line breaks included).
const nameControl = '\\p{Cc}\\p{Cs}';
// Free text (notes, reasons) may hold tabs and line breaks, nothing else below U+0020.
const freeTextControl = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\p{Cs}';

/**
 * Text of 1 to `max` code points once trimmed (JavaScript's trim removes exactly what `\s`
 * matches), none of them in `forbidden`; the whitespace around it is free.
 */
export const trimmedText = (max: number, forbidden = ''): string => {
  const any = forbidden === '' ? '[\\s\\S]' : `[^${forbidden}]`;
  const visible = `[^\\s${forbidden}]`;
  return `^\\s*${visible}(?:${any}{0,${max - 2}}${visible})?\\s*$`;
};

/** An opaque cursor as the lists issue it (base64url), at most `maxLength` characters. */
export const cursorField = (maxLength: number): Schema => ({
  type: 'string',
  pattern: '^[A-Za-z0-9_-]+$',
  maxLength,
  description: 'Opaque; a cursor this API did not issue, or issued for other filters, is a 400',
});

export const objectId: Schema = {
  type: 'string',
  pattern: objectIdPattern.source,
  description: '24-character lowercase hexadecimal id',
  examples: ['507f1f77bcf86cd799439012'],
};

/**
 * A display name: 1 to 200 characters after trimming, no control characters. `maxLength`: where
 * the validator refuses a longer string before it counts (creates and the session PATCH do).
 */
export const nameField = (maxLength?: number): Schema => ({
  type: 'string',
  ...(maxLength === undefined ? {} : { maxLength }),
  pattern: trimmedText(200, nameControl),
  description: 'Any Unicode text, 1 to 200 characters after trimming, without control characters; stored trimmed',
  examples: ['Consultation Session'],
});

// The HTML specification's e-mail address, as yup's email() checks it; yup lets the empty string pass.
const emailPattern =
  "^(?:|[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)$";

/** Nullable: null (or leaving it out) means none. */
export const emailField: Schema = {
  type: ['string', 'null'],
  maxLength: 320,
  pattern: emailPattern,
  description: 'An e-mail address (the HTML specification’s syntax); the empty string is accepted too, and kept as given',
  examples: ['john@example.com'],
};

export const phoneField: Schema = {
  type: ['string', 'null'],
  pattern: '^\\+?[0-9 ()./-]{3,40}$',
  description: 'Digits, spaces and + ( ) . / - (3 to 40 characters)',
  examples: ['+33 1 23 45 67 89'],
};

/** `maxLength`: where the validator refuses a longer string before asking the runtime (the create does). */
export const timeZoneField = (maxLength?: number): Schema => ({
  type: 'string',
  ...(maxLength === undefined ? {} : { maxLength }),
  pattern: '^[A-Za-z0-9_+/-]+$',
  description: "An IANA time zone name the service's runtime knows (any letter case; stored in its canonical spelling)",
  // The pattern is only the syntax: which names exist is the runtime's time zone database.
  'x-values': 'IANA time zone names (Intl)',
  examples: ['Europe/Paris'],
});

export const scopeField: Schema = {
  type: 'string',
  maxLength: 500,
  pattern: trimmedText(50, unstorable),
  description: '1 to 50 characters after trimming, e.g. "sessions" or "products"; only "sessions" services can be booked',
  examples: ['sessions'],
};

export const serviceDurationField: Schema = {
  type: ['integer', 'null'],
  minimum: 0,
  maximum: 1440,
  description: 'Minutes; null: the service has no duration of its own',
  examples: [30],
};

const freeText = (description: string): Schema => ({
  type: 'string',
  maxLength: 500,
  pattern: `^[^${freeTextControl}]*$`,
  description,
  examples: ['The client asked for another day'],
});

/** Free text that must hold more than whitespace. */
const nonBlankFreeText = `^[^${freeTextControl}]*[^\\s${freeTextControl}][^${freeTextControl}]*$`;

// Dates as parseIsoDateTime (src/events/time.ts) reads them; a day the month does not have is refused too.
const ymd = '\\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])';
const hms = '(?:[01]\\d|2[0-3]):[0-5]\\d(?::[0-5]\\d(?:\\.\\d{1,9})?)?';
const offset = '(?:Z|[+-](?:[01]\\d|2[0-3]):?[0-5]\\d)';
const realDay = 'naming a day that exists (2023-02-29 is refused)';

/** An ISO 8601 date, or a datetime with an optional offset (none: UTC). */
export const isoDateOrDateTime = (description: string, example: string): Schema => ({
  type: 'string',
  pattern: `^${ymd}(?:T${hms}${offset}?)?$`,
  description: `${description}; ${realDay}`,
  examples: [example],
});

/** An instant: a datetime with Z or an offset. */
export const isoInstant = (description: string, example: string): Schema => ({
  type: 'string',
  pattern: `^${ymd}T${hms}${offset}$`,
  description: `${description}; ${realDay}`,
  examples: [example],
});

/** An instant with Z or an offset, or a plain date. */
export const isoInstantOrDate = (description: string, example: string): Schema => ({
  type: 'string',
  pattern: `^${ymd}(?:T${hms}${offset})?$`,
  description: `${description}; ${realDay}`,
  examples: [example],
});

const timeOfDayField: Schema = {
  type: 'string',
  pattern: timeOfDay.source,
  description: 'Local time in the workspace zone, 24-hour HH:mm',
  examples: ['10:00'],
};

const sessionDuration: Schema = {
  type: 'integer',
  minimum: 1,
  maximum: maxDurationMinutes,
  description: "Default: the sum of the services' durations (a service without one counts 0); a sum of 0 becomes 60",
  examples: [90],
};

const fieldValueRequest: Schema = {
  type: 'object',
  required: ['fieldKey', 'value'],
  properties: {
    fieldKey: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,100}$', examples: ['session-type'] },
    value: {
      type: ['string', 'number', 'boolean', 'null'],
      maxLength: 10_000,
      pattern: `^[^${unstorable}]*$`,
      description: 'A string of at most 10,000 characters, a finite number, a boolean or null',
      examples: ['consultation'],
    },
    phase: {
      type: 'string',
      minLength: 1,
      maxLength: 50,
      pattern: `^[^${unstorable}]*$`,
      description: 'Default "pre"; "post" only once the session has started (a 422 before)',
      examples: ['pre'],
    },
  },
  additionalProperties: false,
};

const fieldValues: Schema = {
  type: 'array',
  maxItems: 100,
  items: fieldValueRequest,
  description: 'Pre-session custom field values; no fieldKey twice (a 400)',
};

/** The fields of a session request, shared by the create and the PATCH. */
export const sessionRequestFields: Record<string, Schema> = {
  name: nameField(1000),
  clientId: objectId,
  serviceIds: {
    type: 'array',
    items: objectId,
    minItems: 1,
    maxItems: 50,
    uniqueItems: true,
    description: 'Services of scope "sessions" (another scope is a 422)',
  },
  staffId: { ...nullable(objectId), description: 'null: no staff member' },
  date: isoDateOrDateTime(
    'ISO 8601 date or datetime; it names the local day in the workspace zone (a datetime without an offset is UTC)',
    '2024-01-20T10:00:00Z',
  ),
  startTime: timeOfDayField,
  durationMinutes: sessionDuration,
  fieldValues,
  disambiguation: {
    type: 'string',
    enum: [...disambiguations],
    description: 'For a local time that a DST change skips or repeats: the earlier or the later instant (without it, a 422)',
    examples: ['earlier'],
  },
  allowOverlap: {
    type: 'boolean',
    const: true,
    description:
      "Book over the staff member's other sessions on purpose (needs sessions.overbook); without it such a booking is a 409. Only `true` is accepted: leave it out otherwise",
    examples: [true],
  },
  overlapReason: {
    ...freeText('Why the overlap is wanted; required with allowOverlap, refused without it'),
    pattern: nonBlankFreeText,
  },
};

/** allowOverlap and overlapReason come together or not at all. */
export const overlapTogether: Schema = { dependentRequired: { allowOverlap: ['overlapReason'], overlapReason: ['allowOverlap'] } };

export const sessionStatusField: Schema = { type: 'string', enum: [...sessionStatuses], default: 'scheduled', examples: ['scheduled'] };

export const changeReasonField: Schema = nullable(freeText('Why, recorded on the events; blank: none'));

export const updateDurationField: Schema = {
  ...nullable(sessionDuration),
  description: 'null: derive it from the services again',
};

export const cancellationReasonField: Schema = {
  type: 'string',
  enum: [...cancellationReasons],
  description: '`no-show` only once the session was due to start (a 422 before)',
  examples: ['client-request'],
};

export const cancellationNoteField: Schema = nullable(freeText('Required, and not blank, when reason is "other"'));

/** When reason is "other", a note that is more than whitespace. */
export const noteRequiredForOther: Schema = {
  if: { properties: { reason: { const: 'other' } } },
  then: { required: ['note'], properties: { note: { type: 'string', pattern: nonBlankFreeText } } },
};

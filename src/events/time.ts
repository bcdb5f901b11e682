/**
 * Calendar facts shared by the decisions and the upcasters: parsing the ISO 8601 dates the API
 * accepts, and the local day a session's `date` names in a time zone. Pure, server-zone free.
 */
import { Temporal } from 'temporal-polyfill';

/** Milliseconds since the epoch of a UTC date and time. Unlike Date.UTC, years 0..99 are not read as 1900..1999. */
export const utcMillis = (year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number => {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
};

const isoDate = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * Parses an ISO 8601 date (`YYYY-MM-DD`) or datetime. Returns the instant, or null when the
 * text is not ISO 8601 or names a day that does not exist (2023-02-29). A datetime without an
 * offset is read as UTC, so the result never depends on the server's time zone.
 */
export const parseIsoDateTime = (text: string): Date | null => {
  const match = isoDate.exec(text);
  if (!match) return null;
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const daysInMonth = new Date(utcMillis(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return null;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2, 4));
    if (oh > 23 || om > 59) return null;
    offsetMinutes = sign * (oh * 60 + om);
  }
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3));
  const utc = utcMillis(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
  const instant = new Date(utc);
  if (Number.isNaN(instant.getTime())) return null;
  // An offset can push year 1 or 9999 out of the four-digit range ISO 8601 strings can carry.
  const utcYear = instant.getUTCFullYear();
  return utcYear >= 1 && utcYear <= 9999 ? instant : null;
};

const dayMs = 86_400_000;

/** Answers of steadyOffsetAround by zone and day; emptied when full (a day's answer costs one transition search). */
const steadyOffsets = new Map<string, number | null>();
const steadyOffsetsLimit = 10_000;

/**
 * The zone's UTC offset in milliseconds when it holds without a change from two days before the
 * UTC day `epochDay` (days since 1970-01-01) to three days after it, else null. Over such a span
 * a local time is one instant and an instant one local time, so the callers below resolve them by
 * adding the offset, as Temporal would, instead of asking Temporal for each session (which costs
 * tens of microseconds a call); on days near a change of offset they ask Temporal.
 */
export const steadyOffsetAround = (timeZone: string, epochDay: number): number | null => {
  const key = `${timeZone}\u0000${String(epochDay)}`;
  const known = steadyOffsets.get(key);
  if (known !== undefined) return known;
  const from = Temporal.Instant.fromEpochMilliseconds((epochDay - 2) * dayMs).toZonedDateTimeISO(timeZone);
  const change = from.getTimeZoneTransition('next');
  const offset = change !== null && change.epochMilliseconds <= (epochDay + 3) * dayMs ? null : from.offsetNanoseconds / 1e6;
  if (steadyOffsets.size >= steadyOffsetsLimit) steadyOffsets.clear();
  steadyOffsets.set(key, offset);
  return offset;
};

/** The local calendar day a session's `date` names (see the README's time-zone rules). */
export const localDayOf = (date: string, timeZone: string): string => {
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/.test(date) && date.includes('T');
  if (!hasOffset) return date.slice(0, 10);
  const instant = parseIsoDateTime(date);
  if (!instant) throw new Error(`date was not validated before scheduling: ${date}`);
  const millis = instant.getTime();
  const offset = steadyOffsetAround(timeZone, Math.floor(millis / dayMs));
  // Date and Temporal write years past 9999 alike (+010000-01-01).
  if (offset !== null) return new Date(millis + offset).toISOString().slice(0, 10);
  return Temporal.Instant.fromEpochMilliseconds(millis).toZonedDateTimeISO(timeZone).toPlainDate().toString();
};

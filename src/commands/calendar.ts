/** Date and time rules of the session contract, kept pure for the decider. */

/** Milliseconds since the epoch of a UTC date and time. Unlike Date.UTC, years 0..99 are not read as 1900..1999. */
const utcMillis = (year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0, millis = 0): number => {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  date.setUTCHours(hour, minute, second, millis);
  return date.getTime();
};

const isoDate =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

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

/** Midnight UTC of the instant's UTC calendar day, as ISO with milliseconds. */
export const utcMidnight = (instant: Date): string =>
  new Date(utcMillis(instant.getUTCFullYear(), instant.getUTCMonth(), instant.getUTCDate())).toISOString();

export const timeOfDay = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:mm` plus minutes, wrapping past midnight (23:30 + 90 → 01:00). */
export const addMinutes = (startTime: string, minutes: number): string => {
  const match = timeOfDay.exec(startTime);
  if (!match) throw new Error(`not a time of day: ${startTime}`);
  const total = (((Number(match[1]) * 60 + Number(match[2]) + minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
};

/** Date and time rules of the session contract, kept pure for the decider. */

import { parseIsoDateTime, utcMillis } from '../events/time.js';

export { parseIsoDateTime };

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

/**
 * Where a session sits in time. A workspace has an IANA time zone; a session happens at a local
 * wall-clock time there, and is recorded with the instants that time resolved to, so a later
 * change of zone rules (or of the workspace's zone) does not move it.
 *
 * Uses Temporal (temporal-polyfill; Node 20 has no Temporal): its `disambiguation` is exactly the
 * choice a booking must make at a DST change (a local time in the spring-forward gap does not
 * exist, one in the fall-back overlap exists twice), so no offset arithmetic happens here.
 */
import { Temporal } from 'temporal-polyfill';
import { BusinessRuleError } from '../errors.js';
import { localDayOf, steadyOffsetAround, utcMillis } from '../events/time.js';
import { timeOfDay } from './calendar.js';

export { localDayOf };

export type Disambiguation = 'earlier' | 'later';
export const disambiguations = ['earlier', 'later'] as const;

export interface Schedule {
  timeZone: string;
  /** The local day, as midnight UTC of it (the documented `date` shape). */
  date: string;
  startTime: string;
  durationMinutes: number;
  /** UTC instants with milliseconds. */
  startAt: string;
  endAt: string;
  /** `endAt` on the local wall clock (across a DST change it differs from start + duration on the clock face). */
  endTime: string;
}

const isoMillis = (instant: Temporal.Instant): string => new Date(instant.epochMilliseconds).toISOString();

const hhmm = (time: Temporal.PlainTime): string => time.toString({ smallestUnit: 'minute' });

/**
 * Resolves a local day and start time in a zone to instants. A start time in a DST gap is a 422
 * naming the first valid time after it; one in an overlap is a 422 naming both instants unless
 * `disambiguation` says which.
 */
export const resolveSchedule = (input: ScheduleInput): Schedule => steadySchedule(input) ?? resolveScheduleWithTemporal(input);

export interface ScheduleInput {
  localDay: string;
  startTime: string;
  durationMinutes: number;
  timeZone: string;
  disambiguation: Disambiguation | null;
}

const plainDay = /^(\d{4})-(\d{2})-(\d{2})$/;
const twoDigits = (n: number): string => String(n).padStart(2, '0');

/**
 * The schedule Temporal resolves, computed with the zone's offset when that holds for days around
 * the local day (./events/time.ts, steadyOffsetAround): then the local start time exists once and
 * the session, at most a day long, ends under the same offset. Null elsewhere (near a change of
 * offset, or an input Temporal is to judge).
 */
const steadySchedule = (input: ScheduleInput): Schedule | null => {
  const day = plainDay.exec(input.localDay);
  const time = timeOfDay.exec(input.startTime);
  if (!day || !time || !Number.isInteger(input.durationMinutes) || input.durationMinutes < 0 || input.durationMinutes > 1440) return null;
  const midnight = utcMillis(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  // A day that does not exist (2023-02-30) is Temporal's to refuse.
  if (new Date(midnight).toISOString().slice(0, 10) !== input.localDay) return null;
  const offset = steadyOffsetAround(input.timeZone, Math.floor(midnight / dayMs));
  if (offset === null) return null;
  const startAt = midnight + (Number(time[1]) * 60 + Number(time[2])) * 60_000 - offset;
  const endAt = startAt + input.durationMinutes * 60_000;
  const endLocal = new Date(endAt + offset);
  return {
    timeZone: input.timeZone,
    date: `${input.localDay}T00:00:00.000Z`,
    startTime: input.startTime,
    durationMinutes: input.durationMinutes,
    startAt: new Date(startAt).toISOString(),
    endAt: new Date(endAt).toISOString(),
    endTime: `${twoDigits(endLocal.getUTCHours())}:${twoDigits(endLocal.getUTCMinutes())}`,
  };
};

const dayMs = 86_400_000;

/** The schedule by Temporal alone: what resolveSchedule answers everywhere (exported for the tests that hold the two equal). */
export const resolveScheduleWithTemporal = (input: ScheduleInput): Schedule => {
  const local = Temporal.PlainDate.from(input.localDay).toPlainDateTime(Temporal.PlainTime.from(input.startTime));
  const earlier = local.toZonedDateTime(input.timeZone, { disambiguation: 'earlier' });
  const later = local.toZonedDateTime(input.timeZone, { disambiguation: 'later' });
  const exists = Temporal.PlainDateTime.compare(earlier.toPlainDateTime(), local) === 0;
  if (!exists) {
    // A local time the clocks skip lies in a gap that a transition after `earlier` closes.
    const firstValid = earlier.getTimeZoneTransition('next');
    if (firstValid === null)
      throw new Error(
        `no time zone transition after ${input.localDay} ${input.startTime} in ${input.timeZone}, yet that time does not exist`,
      );
    throw new BusinessRuleError(`The start time does not exist on ${input.localDay} in ${input.timeZone}: the clocks skip it.`, [
      {
        path: 'startTime',
        message: `${input.startTime} does not exist on ${input.localDay} in ${input.timeZone} (the clocks move forward); the first valid time after it is ${hhmm(firstValid.toPlainTime())}`,
      },
    ]);
  }
  let start = earlier;
  if (!earlier.toInstant().equals(later.toInstant())) {
    if (input.disambiguation === null) {
      throw new BusinessRuleError(
        `The start time happens twice on ${input.localDay} in ${input.timeZone}; say which with "disambiguation".`,
        [
          {
            path: 'startTime',
            message: `${input.startTime} happens twice on ${input.localDay} in ${input.timeZone} (the clocks move back): at ${isoMillis(earlier.toInstant())} ("earlier") and at ${isoMillis(later.toInstant())} ("later"); send "disambiguation" to choose`,
          },
        ],
      );
    }
    start = input.disambiguation === 'earlier' ? earlier : later;
  }
  const startAt = start.toInstant();
  const endAt = startAt.add({ minutes: input.durationMinutes });
  return {
    timeZone: input.timeZone,
    date: `${input.localDay}T00:00:00.000Z`,
    startTime: input.startTime,
    durationMinutes: input.durationMinutes,
    startAt: isoMillis(startAt),
    endAt: isoMillis(endAt),
    endTime: hhmm(endAt.toZonedDateTimeISO(input.timeZone).toPlainTime()),
  };
};

/** Midnight at the start of a local day in a zone, as an instant (for list queries over plain dates). */
export const startOfLocalDay = (localDay: string, timeZone: string): string =>
  isoMillis(Temporal.PlainDate.from(localDay).toZonedDateTime({ timeZone }).toInstant());

/** Milliseconds of an ISO instant (validated by the caller). */
export const instantMillis = (iso: string): number => Temporal.Instant.from(iso).epochMilliseconds;

export const toIsoMillis = (millis: number): string => new Date(millis).toISOString();

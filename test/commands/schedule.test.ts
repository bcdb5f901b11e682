/**
 * Resolving a session's local time in its zone: the offset shortcut (days with no change of offset
 * near them) answers exactly what Temporal answers, schedules and refusals alike, in zones with
 * daylight saving, half-hour saving, negative saving, odd offsets and skipped days.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { resolveSchedule, resolveScheduleWithTemporal, type ScheduleInput } from '../../src/commands/schedule.js';
import { localDayOf } from '../../src/events/time.js';

const zones = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Apia',
  'Africa/Casablanca',
  'Europe/Dublin',
  'America/Sao_Paulo',
  'Asia/Riyadh',
  'Pacific/Chatham',
];

/** The schedule, or the refusal's message and field problems. */
const outcome = (resolve: (input: ScheduleInput) => unknown, input: ScheduleInput): unknown => {
  try {
    return resolve(input);
  } catch (error) {
    return { refused: (error as Error).message, problems: (error as { errors?: unknown }).errors };
  }
};

const dayOf = (epochDay: number): string => new Date(epochDay * 86_400_000).toISOString().slice(0, 10);
const epochDay = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

describe('resolving a session schedule in its zone', () => {
  it('answers what Temporal answers for every day of a year at times around the clock changes', () => {
    // 2011: Samoa (Pacific/Apia) skipped 30 December.
    for (const [timeZone, year] of [...zones.map((zone) => [zone, '2024'] as const), ['Pacific/Apia', '2011'] as const]) {
      for (let d = epochDay(`${year}-01-01`); d <= epochDay(`${year}-12-31`); d += 1) {
        for (const [startTime, durationMinutes] of [
          ['02:30', 60],
          ['23:45', 1440],
        ] as const) {
          for (const disambiguation of [null, 'later'] as const) {
            const input = { localDay: dayOf(d), startTime, durationMinutes, timeZone, disambiguation };
            expect(outcome(resolveSchedule, input), JSON.stringify(input)).to.deep.equal(outcome(resolveScheduleWithTemporal, input));
          }
        }
      }
    }
  });

  it('answers what Temporal answers for any day, time, duration and zone (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: epochDay('0001-01-03'), max: epochDay('9999-12-28') }),
        fc.integer({ min: 0, max: 1439 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.constantFrom(...zones),
        fc.constantFrom(null, 'earlier' as const, 'later' as const),
        (day, minute, durationMinutes, timeZone, disambiguation) => {
          const startTime = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
          const input = { localDay: dayOf(day), startTime, durationMinutes, timeZone, disambiguation };
          expect(outcome(resolveSchedule, input)).to.deep.equal(outcome(resolveScheduleWithTemporal, input));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('refuses a start time in the spring-forward gap and asks which of two in the fall-back overlap, as before', () => {
    const base = { durationMinutes: 60, timeZone: 'Europe/Berlin', disambiguation: null };
    expect(outcome(resolveSchedule, { ...base, localDay: '2024-03-31', startTime: '02:30' }))
      .to.have.property('refused')
      .that.includes('skip');
    expect(outcome(resolveSchedule, { ...base, localDay: '2024-10-27', startTime: '02:30' }))
      .to.have.property('refused')
      .that.includes('twice');
    expect(resolveSchedule({ ...base, localDay: '2024-07-01', startTime: '09:00' })).to.deep.include({
      startAt: '2024-07-01T07:00:00.000Z',
      endAt: '2024-07-01T08:00:00.000Z',
      endTime: '10:00',
    });
  });

  it('finds the local day of an instant as Temporal does (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('0001-01-03T00:00:00Z'), max: Date.parse('9999-12-28T00:00:00Z') }),
        fc.constantFrom(...zones),
        (millis, timeZone) => {
          const expected = Temporal.Instant.fromEpochMilliseconds(millis).toZonedDateTimeISO(timeZone).toPlainDate().toString();
          expect(localDayOf(new Date(millis).toISOString(), timeZone)).to.equal(expected);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

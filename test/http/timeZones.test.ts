/**
 * DST over HTTP, in workspaces created in Europe/Paris and America/New_York: the gap and the
 * overlap (422s, `disambiguation`), a session crossing the change, and list queries over the
 * 23-hour and the 25-hour day (plain-date from/to are local midnight).
 */
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { createSession, expectRejected, sessionBody, sessionsPath } from './helpers.js';

const zones = [
  {
    timeZone: 'Europe/Paris',
    spring: {
      day: '2024-03-31',
      gapTime: '02:30',
      firstValid: '03:00',
      midnight: '2024-03-30T23:00:00.000Z',
      nextMidnight: '2024-03-31T22:00:00.000Z',
    },
    fall: {
      day: '2024-10-27',
      overlapTime: '02:30',
      earlier: '2024-10-27T00:30:00.000Z',
      later: '2024-10-27T01:30:00.000Z',
      midnight: '2024-10-26T22:00:00.000Z',
      nextMidnight: '2024-10-27T23:00:00.000Z',
    },
    // 01:30 + 120 minutes of elapsed time across spring-forward reads 04:30 on the clock.
    crossing: { startTime: '01:30', startAt: '2024-03-31T00:30:00.000Z', endAt: '2024-03-31T02:30:00.000Z', endTime: '04:30' },
  },
  {
    timeZone: 'America/New_York',
    spring: {
      day: '2024-03-10',
      gapTime: '02:15',
      firstValid: '03:00',
      midnight: '2024-03-10T05:00:00.000Z',
      nextMidnight: '2024-03-11T04:00:00.000Z',
    },
    fall: {
      day: '2024-11-03',
      overlapTime: '01:30',
      earlier: '2024-11-03T05:30:00.000Z',
      later: '2024-11-03T06:30:00.000Z',
      midnight: '2024-11-03T04:00:00.000Z',
      nextMidnight: '2024-11-04T05:00:00.000Z',
    },
    crossing: { startTime: '01:00', startAt: '2024-03-10T06:00:00.000Z', endAt: '2024-03-10T08:00:00.000Z', endTime: '04:00' },
  },
];

describe('sessions across DST changes', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp({ start: { clock: () => new Date('2024-01-15T10:00:00.000Z') } });
  });
  after(async () => app.destroy());

  for (const zone of zones) {
    describe(`in ${zone.timeZone}`, () => {
      let c: Catalog;
      beforeEach(async () => {
        c = await createCatalog(app, `Clinic ${zone.timeZone}`, zone.timeZone);
      });

      it('a start time in the spring-forward gap is a 422 naming the first valid time, on create and on reschedule', async () => {
        await expectRejected(
          app,
          'POST',
          sessionsPath(c),
          { token: c.token, body: sessionBody(c, { date: zone.spring.day, startTime: zone.spring.gapTime }) },
          422,
          {
            errors: [
              {
                path: 'startTime',
                message: `${zone.spring.gapTime} does not exist on ${zone.spring.day} in ${zone.timeZone} (the clocks move forward); the first valid time after it is ${zone.spring.firstValid}`,
              },
            ],
          },
        );
        const s = (await createSession(app, c, { date: zone.spring.day, startTime: '12:00' })).body.session;
        await expectRejected(
          app,
          'PATCH',
          `${sessionsPath(c)}/${s.id}`,
          { token: c.token, body: { startTime: zone.spring.gapTime }, headers: { 'if-match': '"1"' } },
          422,
          {
            paths: ['startTime'],
            detailIncludes: ['does not exist'],
          },
        );
      });

      it('a start time in the fall-back overlap is a 422 naming both instants, unless disambiguation says which', async () => {
        // No staff member: the two sessions are meant to sit at both instants of one local time.
        const body = sessionBody(c, { date: zone.fall.day, startTime: zone.fall.overlapTime, durationMinutes: 30, staffId: null });
        const rejected = await expectRejected(app, 'POST', sessionsPath(c), { token: c.token, body }, 422, { paths: ['startTime'] });
        expect(rejected.body.errors[0].message).to.include(zone.fall.earlier).and.include(zone.fall.later).and.include('disambiguation');
        const earlier = (await createSession(app, c, { ...body, disambiguation: 'earlier' })).body.session;
        const later = (await createSession(app, c, { ...body, disambiguation: 'later' })).body.session;
        expect([earlier.startAt, later.startAt]).to.deep.equal([zone.fall.earlier, zone.fall.later]);
        expect(earlier).to.deep.include({
          timeZone: zone.timeZone,
          date: `${zone.fall.day}T00:00:00.000Z`,
          startTime: zone.fall.overlapTime,
        });
        // Moving the later one to the earlier instant.
        const moved = await request(app.url, 'PATCH', `${sessionsPath(c)}/${later.id}`, {
          token: c.token,
          body: { disambiguation: 'earlier' },
          headers: { 'if-match': '"1"' },
        });
        expect(moved.status, moved.text).to.equal(200);
        expect(moved.body.session.startAt).to.equal(zone.fall.earlier);
      });

      it('a session crossing the change ends after its elapsed duration: endTime differs from startTime + duration on the clock face', async () => {
        const s = (await createSession(app, c, { date: zone.spring.day, startTime: zone.crossing.startTime, durationMinutes: 120 })).body
          .session;
        expect(s).to.deep.include({
          startAt: zone.crossing.startAt,
          endAt: zone.crossing.endAt,
          endTime: zone.crossing.endTime,
          durationMinutes: 120,
        });
      });

      it('plain dates in a list query are local midnight: the 23-hour and the 25-hour day', async () => {
        // One session right after each local midnight and one right before the next.
        const springFirst = (await createSession(app, c, { date: zone.spring.day, startTime: '00:00', durationMinutes: 15 })).body.session;
        const springLast = (await createSession(app, c, { date: zone.spring.day, startTime: '23:45', durationMinutes: 15 })).body.session;
        const fallFirst = (await createSession(app, c, { date: zone.fall.day, startTime: '00:00', durationMinutes: 15 })).body.session;
        const fallLast = (await createSession(app, c, { date: zone.fall.day, startTime: '23:45', durationMinutes: 15 })).body.session;
        expect([springFirst.startAt, fallFirst.startAt]).to.deep.equal([zone.spring.midnight, zone.fall.midnight]);
        expect(Date.parse(zone.spring.nextMidnight) - Date.parse(zone.spring.midnight)).to.equal(23 * 3_600_000);
        expect(Date.parse(zone.fall.nextMidnight) - Date.parse(zone.fall.midnight)).to.equal(25 * 3_600_000);
        const next = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
        const ids = async (from: string, to: string) =>
          (await request(app.url, 'GET', `${sessionsPath(c)}?from=${from}&to=${to}`, { token: c.token })).body.sessions.map(
            (s: { id: string }) => s.id,
          );
        expect(await ids(zone.spring.day, next(zone.spring.day))).to.deep.equal([springFirst.id, springLast.id]);
        expect(await ids(zone.fall.day, next(zone.fall.day))).to.deep.equal([fallFirst.id, fallLast.id]);
        // The same days as instants give the same answer; the UTC day does not.
        expect(await ids(zone.spring.midnight, zone.spring.nextMidnight)).to.deep.equal([springFirst.id, springLast.id]);
        expect(await ids(`${zone.fall.day}T00:00:00Z`, `${next(zone.fall.day)}T00:00:00Z`)).to.not.deep.equal([fallFirst.id, fallLast.id]);
      });
    });
  }
});

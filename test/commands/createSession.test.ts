import { expect } from 'chai';
import type { SessionCreated } from '../../src/events/index.js';
import { sessionCreatedVersion } from '../../src/events/session.js';
import {
  clientRegistered,
  commandMetadata,
  createSession,
  given,
  newId,
  serviceDefined,
  staffMemberAdded,
  workspaceCreated,
} from './scenario.js';

const ws = newId();
const otherWs = newId();
const sessionId = newId();
const clientId = newId();
const consultation = newId(); // 30 min, Arabic name
const checkup = newId(); // 60 min, Arabic name
const openEnded = newId(); // no duration
const zeroMinutes = newId(); // 0 min
const long1000 = newId();
const long500 = newId();
const long720 = newId();
const product = newId(); // scope "products"
const product2 = newId(); // scope "products"
const staffId = newId();
const foreignClient = newId();
const foreignService = newId();
const foreignStaff = newId();
const unknownId = 'ffffffffffffffffffffffff';

const catalog = [
  workspaceCreated(ws),
  workspaceCreated(otherWs),
  clientRegistered(ws, clientId, 'John Doe'),
  serviceDefined(ws, consultation, 30, { name: 'استشارة طبية' }),
  serviceDefined(ws, checkup, 60, { name: 'فحص عام' }),
  serviceDefined(ws, openEnded, null, { name: 'Open-ended' }),
  serviceDefined(ws, zeroMinutes, 0, { name: 'Zero' }),
  serviceDefined(ws, long1000, 1000),
  serviceDefined(ws, long500, 500),
  serviceDefined(ws, long720, 720),
  serviceDefined(ws, product, 10, { name: 'Vitamin pack', scope: 'products' }),
  serviceDefined(ws, product2, null, { name: 'Gift card', scope: 'gift-cards' }),
  staffMemberAdded(ws, staffId, 'Dr. Smith'),
  clientRegistered(otherWs, foreignClient, 'Someone Else'),
  serviceDefined(otherWs, foreignService, 30),
  staffMemberAdded(otherWs, foreignStaff, 'Dr. Elsewhere'),
];

const ids = { workspaceId: ws, id: sessionId };

const body = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'Consultation Session',
  clientId,
  serviceIds: [consultation, checkup],
  date: '2024-01-20T10:00:00Z',
  startTime: '10:00',
  ...overrides,
});

const without = (field: string, overrides: Record<string, unknown> = {}): Record<string, unknown> =>
  Object.fromEntries(Object.entries(body(overrides)).filter(([name]) => name !== field));

const whenCreating = (b: unknown) => given(...catalog).when(createSession(b, ids));

describe('deciding CreateSession', () => {
  describe('the seed example (services of 30 and 60 minutes, with staff, no durationMinutes)', () => {
    it('decides exactly one SessionCreated recording the request, the catalog facts and the derivation', () => {
      const metadata = commandMetadata(ws, {
        eventId: 'e5a1c7de-1111-4aaa-8bbb-123456789abc',
        requestId: 'seed-req',
        correlationId: 'seed-corr',
      });
      const request = body({
        staffId,
        status: 'scheduled',
        fieldValues: [{ fieldKey: 'session-type', value: 'consultation', phase: 'pre' }],
      });
      const expected: SessionCreated = {
        type: 'SessionCreated',
        data: {
          sessionId,
          workspaceId: ws,
          requested: {
            name: 'Consultation Session',
            clientId,
            serviceIds: [consultation, checkup],
            staffId,
            date: '2024-01-20T10:00:00Z',
            startTime: '10:00',
            durationMinutes: null,
            status: 'scheduled',
            fieldValues: [{ fieldKey: 'session-type', value: 'consultation', phase: 'pre' }],
          },
          client: { id: clientId, name: 'John Doe' },
          services: [
            { id: consultation, name: 'استشارة طبية', durationMinutes: 30 },
            { id: checkup, name: 'فحص عام', durationMinutes: 60 },
          ],
          staff: { id: staffId, name: 'Dr. Smith' },
          timeZone: 'UTC',
          date: '2024-01-20T00:00:00.000Z',
          startTime: '10:00',
          endTime: '11:30',
          durationMinutes: 90,
          startAt: '2024-01-20T10:00:00.000Z',
          endAt: '2024-01-20T11:30:00.000Z',
          durationSource: 'services',
          summedServiceDurations: [30, 60],
          status: 'scheduled',
          fieldValues: [{ fieldKey: 'session-type', value: 'consultation', phase: 'pre' }],
        },
        metadata: { ...metadata, schemaVersion: sessionCreatedVersion },
      };
      given(...catalog)
        .when(createSession(request, { ...ids, metadata }))
        .then([expected]);
    });

    it('is pure: the same command on the same state decides the same events', () => {
      const first = { events: [] as unknown[] };
      given(...catalog)
        .when(createSession(body(), ids))
        .thenEvents((events) => (first.events = events));
      given(...catalog)
        .when(createSession(body(), ids))
        .thenEvents((events) => expect(events).to.deep.equal(first.events));
    });

    it('passes the metadata through (actor, requestId, correlationId, eventId, occurredAt) and sets schemaVersion', () => {
      const metadata = commandMetadata(ws, {
        actor: { userId: 'u-9' },
        requestId: 'r-9',
        correlationId: 'c-9',
        idempotencyKey: 'k-1',
        requestHash: 'h-1',
      });
      given(...catalog)
        .when(createSession(body(), { ...ids, metadata }))
        .thenSession((event) => expect(event.metadata).to.deep.equal({ ...metadata, schemaVersion: sessionCreatedVersion }));
    });
  });

  describe('duration', () => {
    it('uses the request durationMinutes when given (source "request", nothing summed)', () => {
      whenCreating(body({ durationMinutes: 45 })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(45);
        expect(e.data.durationSource).to.equal('request');
        expect(e.data.summedServiceDurations).to.deep.equal([]);
        expect(e.data.requested.durationMinutes).to.equal(45);
        expect(e.data.endTime).to.equal('10:45');
      });
    });

    it('lets the request durationMinutes win even when the services add up to more than 1440', () => {
      whenCreating(body({ serviceIds: [long1000, long500], durationMinutes: 30 })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(30);
        expect(e.data.durationSource).to.equal('request');
      });
    });

    it('lets the request durationMinutes win over a zero sum (no default)', () => {
      whenCreating(body({ serviceIds: [openEnded], durationMinutes: 15 })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(15);
        expect(e.data.durationSource).to.equal('request');
      });
    });

    it('sums the services durations when durationMinutes is absent', () => {
      whenCreating(body({ serviceIds: [checkup, consultation] })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(90);
        expect(e.data.durationSource).to.equal('services');
        expect(e.data.summedServiceDurations).to.deep.equal([60, 30]);
        expect(e.data.requested.durationMinutes).to.equal(null);
      });
    });

    it('counts a service without durationMinutes as 0', () => {
      whenCreating(body({ serviceIds: [consultation, openEnded] })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(30);
        expect(e.data.durationSource).to.equal('services');
        expect(e.data.summedServiceDurations).to.deep.equal([30, 0]);
        expect(e.data.services[1]).to.deep.equal({ id: openEnded, name: 'Open-ended', durationMinutes: null });
      });
    });

    it('defaults to 60 minutes when the services have no duration (source "default")', () => {
      whenCreating(body({ serviceIds: [openEnded] })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(60);
        expect(e.data.durationSource).to.equal('default');
        expect(e.data.summedServiceDurations).to.deep.equal([0]);
        expect(e.data.endTime).to.equal('11:00');
      });
    });

    it('defaults to 60 minutes when the services durations add up to 0', () => {
      whenCreating(body({ serviceIds: [zeroMinutes, openEnded] })).thenSession((e) => {
        expect(e.data.durationMinutes).to.equal(60);
        expect(e.data.durationSource).to.equal('default');
        expect(e.data.summedServiceDurations).to.deep.equal([0, 0]);
      });
    });

    it('accepts a sum of exactly 1440 minutes', () => {
      const twice = newId();
      given(...catalog, serviceDefined(ws, twice, 720))
        .when(createSession(body({ serviceIds: [long720, twice] }), ids))
        .thenSession((e) => {
          expect(e.data.durationMinutes).to.equal(1440);
          expect(e.data.endTime).to.equal('10:00');
        });
    });

    it('rejects with 422 a sum over 1440 minutes, naming durationMinutes', () => {
      const error = whenCreating(body({ serviceIds: [long1000, long500] })).thenError({ status: 422, paths: ['durationMinutes'] });
      expect(error.errors![0]!.message).to.include('1500');
    });

    it('rejects a request durationMinutes outside 1..1440 or not an integer with 400', () => {
      for (const durationMinutes of [0, -5, 1441, 90.5, '90', null]) {
        whenCreating(body({ durationMinutes })).thenError({ status: 400, paths: ['durationMinutes'] });
      }
    });

    it('accepts the bounds 1 and 1440 for a request durationMinutes', () => {
      whenCreating(body({ durationMinutes: 1 })).thenSession((e) => expect(e.data.endTime).to.equal('10:01'));
      whenCreating(body({ durationMinutes: 1440 })).thenSession((e) => expect(e.data.endTime).to.equal('10:00'));
    });
  });

  describe('date and time', () => {
    const dateCases: [string, string][] = [
      ['2024-01-20T10:00:00Z', '2024-01-20T00:00:00.000Z'],
      ['2024-01-20', '2024-01-20T00:00:00.000Z'],
      ['2024-01-20T00:00:00.000Z', '2024-01-20T00:00:00.000Z'],
      ['2024-01-20T23:59:59.999Z', '2024-01-20T00:00:00.000Z'],
      ['2024-01-20T10:00:00.123456789Z', '2024-01-20T00:00:00.000Z'],
      ['2024-01-20T10:00Z', '2024-01-20T00:00:00.000Z'],
      ['2024-01-20T01:00:00+03:00', '2024-01-19T00:00:00.000Z'],
      ['2024-01-20T23:30:00-05:00', '2024-01-21T00:00:00.000Z'],
      ['2024-01-20T23:30:00-0500', '2024-01-21T00:00:00.000Z'],
      ['2024-01-20T12:00:00', '2024-01-20T00:00:00.000Z'],
      ['2024-02-29T10:00:00Z', '2024-02-29T00:00:00.000Z'],
      ['2000-02-29', '2000-02-29T00:00:00.000Z'],
      ['2024-12-31T23:00:00-02:00', '2025-01-01T00:00:00.000Z'],
      ['0099-06-15', '0099-06-15T00:00:00.000Z'],
    ];
    for (const [date, stored] of dateCases) {
      it(`stores ${date} as midnight UTC of its UTC day (${stored}) and keeps the requested text`, () => {
        whenCreating(body({ date })).thenSession((e) => {
          expect(e.data.date).to.equal(stored);
          expect(e.data.requested.date).to.equal(date);
        });
      });
    }

    const badDates = [
      '2023-02-29',
      '1900-02-29',
      '2024-04-31',
      '2024-13-01',
      '2024-00-10',
      '2024-01-00',
      '2024-01-32',
      '2024-01-20T24:00:00Z',
      '2024-01-20T10:60:00Z',
      '2024-01-20T10:00:60Z',
      '2024-01-20T10:00:00+24:00',
      '20-01-2024',
      '2024/01/20',
      '2024-1-20',
      'tomorrow',
      '',
      '2024-01-20 10:00:00Z',
    ];
    for (const date of badDates) {
      it(`rejects the date ${JSON.stringify(date)} with 400 naming date`, () => {
        whenCreating(body({ date })).thenError({ status: 400, paths: ['date'] });
      });
    }

    it('rejects a date that is not a string with 400', () => {
      for (const date of [20240120, null, { year: 2024 }]) whenCreating(body({ date })).thenError({ status: 400, paths: ['date'] });
    });

    const endTimes: [string, number, string][] = [
      ['10:00', 90, '11:30'],
      ['23:30', 90, '01:00'],
      ['23:59', 1, '00:00'],
      ['00:00', 1440, '00:00'],
      ['12:45', 1439, '12:44'],
      ['00:00', 59, '00:59'],
    ];
    for (const [startTime, durationMinutes, endTime] of endTimes) {
      it(`computes endTime ${endTime} from ${startTime} + ${durationMinutes} minutes, wrapping past midnight`, () => {
        whenCreating(body({ startTime, durationMinutes })).thenSession((e) => {
          expect(e.data.startTime).to.equal(startTime);
          expect(e.data.endTime).to.equal(endTime);
        });
      });
    }

    it('wraps a services-derived duration past midnight too (23:30 + 30 + 60 → 01:00)', () => {
      whenCreating(body({ startTime: '23:30' })).thenSession((e) => expect(e.data.endTime).to.equal('01:00'));
    });

    for (const startTime of ['24:00', '7:00', '07:0', '07:00:00', '12:60', '1200', ' 10:00', '', 'noon']) {
      it(`rejects the startTime ${JSON.stringify(startTime)} with 400`, () => {
        whenCreating(body({ startTime })).thenError({ status: 400, paths: ['startTime'] });
      });
    }
  });

  describe('request validation (400)', () => {
    it('lists every missing required field at once', () => {
      whenCreating({}).thenError({ status: 400, paths: ['name', 'clientId', 'serviceIds', 'date', 'startTime'] });
    });

    it('lists several invalid fields at once, each with a message', () => {
      const error = whenCreating(
        body({
          name: '  ',
          clientId: 'nope',
          serviceIds: [],
          date: '2023-02-29',
          startTime: '25:00',
          durationMinutes: 0,
          status: 'done',
          staffId: 'x',
        }),
      ).thenError({
        status: 400,
        paths: ['name', 'clientId', 'serviceIds', 'date', 'startTime', 'durationMinutes', 'status', 'staffId'],
      });
      for (const e of error.errors!) expect(e.message).to.be.a('string').and.not.equal('');
      expect(error.message).to.include('name').and.include('startTime');
    });

    it('names every unknown top-level property (a client cannot set server-owned fields)', () => {
      whenCreating(
        body({ id: unknownId, workspaceId: otherWs, clientName: 'X', invoice: {}, createdAt: '2024-01-01T00:00:00Z', attachments: [] }),
      ).thenError({
        status: 400,
        errors: ['id', 'workspaceId', 'clientName', 'invoice', 'createdAt', 'attachments'].map((path) => ({
          path,
          message: 'is not an allowed property',
        })),
      });
    });

    it('lists unknown properties together with invalid fields', () => {
      whenCreating(body({ endTime: '11:00', startTime: '9am' })).thenError({ status: 400, paths: ['endTime', 'startTime'] });
    });

    it('rejects a body that is not a JSON object', () => {
      for (const raw of [null, [], 'session', 42, true, undefined]) {
        whenCreating(raw).thenError({ status: 400, errors: [{ path: '', message: 'must be a JSON object' }] });
      }
    });

    describe('name', () => {
      it('trims the name', () => {
        whenCreating(body({ name: '  Consultation  ' })).thenSession((e) => expect(e.data.requested.name).to.equal('Consultation'));
      });

      it('accepts an Arabic name of exactly 200 characters after trimming', () => {
        const name = 'ا'.repeat(200);
        whenCreating(body({ name: `  ${name}\n` })).thenSession((e) => expect(e.data.requested.name).to.equal(name));
      });

      it('counts characters, not UTF-16 units (200 emoji are 200 characters)', () => {
        whenCreating(body({ name: '😀'.repeat(200) })).thenSession((e) => expect(e.data.requested.name).to.equal('😀'.repeat(200)));
      });

      it('accepts a one-character name', () => {
        whenCreating(body({ name: 'x' })).thenSession((e) => expect(e.data.requested.name).to.equal('x'));
      });

      for (const [label, name] of [
        ['empty', ''],
        ['blank', ' \t\n '],
        ['201 characters', 'a'.repeat(201)],
        ['201 Arabic characters', 'ب'.repeat(201)],
        ['a number', 12],
        ['null', null],
        ['an array', ['a']],
      ] as [string, unknown][]) {
        it(`rejects a name that is ${label} with 400`, () => {
          whenCreating(body({ name })).thenError({ status: 400, paths: ['name'] });
        });
      }
    });

    describe('clientId', () => {
      for (const clientId of [
        '507F1F77BCF86CD799439012',
        '507f1f77bcf86cd79943901',
        '507f1f77bcf86cd7994390123',
        'zzzzzzzzzzzzzzzzzzzzzzzz',
        '',
        507,
        null,
      ]) {
        it(`rejects clientId ${JSON.stringify(clientId)} with 400`, () => {
          whenCreating(body({ clientId })).thenError({ status: 400, paths: ['clientId'] });
        });
      }
    });

    describe('serviceIds', () => {
      it('rejects an empty list with 400', () => {
        whenCreating(body({ serviceIds: [] })).thenError({ status: 400, paths: ['serviceIds'] });
      });

      it('rejects 51 services with 400 (the limit is 50)', () => {
        const many = Array.from({ length: 51 }, (_, i) => (i + 1).toString(16).padStart(24, '0'));
        whenCreating(body({ serviceIds: many })).thenError({ status: 400, paths: ['serviceIds'] });
      });

      it('accepts 50 distinct ids at validation (then looks every one up)', () => {
        const many = Array.from({ length: 50 }, (_, i) => (i + 1).toString(16).padStart(24, '0'));
        const error = whenCreating(body({ serviceIds: many })).thenError({ status: 404 });
        expect(error.errors).to.have.length(50);
      });

      it('rejects a service listed twice with 400', () => {
        whenCreating(body({ serviceIds: [consultation, checkup, consultation] })).thenError({ status: 400, paths: ['serviceIds'] });
      });

      it('names each malformed id by its index', () => {
        whenCreating(body({ serviceIds: [consultation, 'bad', 7, checkup] })).thenError({
          status: 400,
          paths: ['serviceIds[1]', 'serviceIds[2]'],
        });
      });

      it('rejects a serviceIds that is not an array with 400', () => {
        for (const serviceIds of [consultation, null, { 0: consultation }]) {
          whenCreating(body({ serviceIds })).thenError({ status: 400, paths: ['serviceIds'] });
        }
      });
    });

    describe('staffId', () => {
      it('treats staffId null as absent (no staff)', () => {
        whenCreating(body({ staffId: null })).thenSession((e) => {
          expect(e.data.staff).to.equal(null);
          expect(e.data.requested.staffId).to.equal(null);
        });
      });

      it('treats a missing staffId as no staff', () => {
        whenCreating(body()).thenSession((e) => expect(e.data.staff).to.equal(null));
      });

      for (const bad of ['', 'dr-smith', 42]) {
        it(`rejects staffId ${JSON.stringify(bad)} with 400`, () => {
          whenCreating(body({ staffId: bad })).thenError({ status: 400, paths: ['staffId'] });
        });
      }
    });

    describe('status', () => {
      it('defaults to "scheduled"', () => {
        whenCreating(body()).thenSession((e) => {
          expect(e.data.status).to.equal('scheduled');
          expect(e.data.requested.status).to.equal('scheduled');
        });
      });

      for (const status of ['scheduled', 'in-progress', 'completed', 'cancelled']) {
        it(`accepts "${status}"`, () => {
          whenCreating(body({ status })).thenSession((e) => expect(e.data.status).to.equal(status));
        });
      }

      for (const status of ['Scheduled', 'done', 'in_progress', '', null, 1]) {
        it(`rejects status ${JSON.stringify(status)} with 400`, () => {
          whenCreating(body({ status })).thenError({ status: 400, paths: ['status'] });
        });
      }
    });

    describe('fieldValues', () => {
      it('defaults the phase to "pre" and keeps values of every allowed type', () => {
        const fieldValues = [
          { fieldKey: 'session-type', value: 'consultation' },
          { fieldKey: 'weight_kg', value: 72.5, phase: 'pre' },
          { fieldKey: 'first-visit', value: true },
          { fieldKey: 'notes', value: null },
          { fieldKey: 'long', value: 'x'.repeat(10_000) },
          { fieldKey: 'k'.repeat(100), value: 0 },
        ];
        whenCreating(body({ fieldValues })).thenSession((e) => {
          const expected = fieldValues.map((f) => ({ fieldKey: f.fieldKey, value: f.value, phase: 'pre' }));
          expect(e.data.fieldValues).to.deep.equal(expected);
          expect(e.data.requested.fieldValues).to.deep.equal(expected);
        });
      });

      it('keeps a phase other than "pre" or "post" as given', () => {
        whenCreating(body({ fieldValues: [{ fieldKey: 'a', value: 1, phase: 'intake' }] })).thenSession((e) =>
          expect(e.data.fieldValues[0]!.phase).to.equal('intake'),
        );
      });

      it('defaults to an empty list', () => {
        whenCreating(body()).thenSession((e) => expect(e.data.fieldValues).to.deep.equal([]));
      });

      it('accepts 100 entries and rejects 101 with 400', () => {
        const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ fieldKey: `f${i}`, value: i }));
        whenCreating(body({ fieldValues: entries(100) })).thenSession((e) => expect(e.data.fieldValues).to.have.length(100));
        whenCreating(body({ fieldValues: entries(101) })).thenError({ status: 400, paths: ['fieldValues'] });
      });

      it('rejects a repeated fieldKey with 400', () => {
        whenCreating(
          body({
            fieldValues: [
              { fieldKey: 'a', value: 1 },
              { fieldKey: 'a', value: 2 },
            ],
          }),
        ).thenError({ status: 400, paths: ['fieldValues'] });
      });

      it('names each invalid entry field by its path, all at once', () => {
        whenCreating(
          body({
            fieldValues: [
              { fieldKey: 'has space', value: 1 },
              { fieldKey: 'k'.repeat(101), value: 1 },
              { fieldKey: 'obj', value: { nested: true } },
              { fieldKey: 'arr', value: [1] },
              { fieldKey: 'toolong', value: 'x'.repeat(10_001) },
              { fieldKey: 'missing-value' },
              { value: 1 },
              { fieldKey: 'extra', value: 1, label: 'x' },
              { fieldKey: 'emptyphase', value: 1, phase: '' },
              { fieldKey: 'numphase', value: 1, phase: 3 },
            ],
          }),
        ).thenError({
          status: 400,
          paths: [
            'fieldValues[0].fieldKey',
            'fieldValues[1].fieldKey',
            'fieldValues[2].value',
            'fieldValues[3].value',
            'fieldValues[4].value',
            'fieldValues[5].value',
            'fieldValues[6].fieldKey',
            'fieldValues[7]',
            'fieldValues[8].phase',
            'fieldValues[9].phase',
          ],
        });
      });

      it('rejects fieldValues that is not an array, or an entry that is not an object, with 400', () => {
        whenCreating(body({ fieldValues: { a: 1 } })).thenError({ status: 400, paths: ['fieldValues'] });
        whenCreating(body({ fieldValues: [null] })).thenError({ status: 400, paths: ['fieldValues[0]'] });
        whenCreating(body({ fieldValues: ['a'] })).thenError({ status: 400, paths: ['fieldValues[0]'] });
      });
    });
  });

  describe('existence (404)', () => {
    it('rejects a workspace that does not exist, naming workspaceId', () => {
      given(...catalog.filter((e) => !(e.type === 'WorkspaceCreated' && e.data.workspaceId === ws)))
        .when(createSession(body(), ids))
        .thenError({ status: 404, paths: ['workspaceId'] });
    });

    it('rejects a client that does not exist, naming clientId', () => {
      const error = whenCreating(body({ clientId: unknownId })).thenError({ status: 404, paths: ['clientId'] });
      expect(error.errors![0]!.message).to.include(unknownId);
    });

    it('treats a client of another workspace as not found', () => {
      whenCreating(body({ clientId: foreignClient })).thenError({ status: 404, paths: ['clientId'] });
    });

    it('names every missing service by its index and id', () => {
      const missing2 = 'eeeeeeeeeeeeeeeeeeeeeeee';
      const error = whenCreating(body({ serviceIds: [consultation, unknownId, foreignService, missing2] })).thenError({
        status: 404,
        paths: ['serviceIds[1]', 'serviceIds[2]', 'serviceIds[3]'],
      });
      expect(error.errors![0]!.message).to.include(unknownId);
      expect(error.errors![1]!.message).to.include(foreignService);
      expect(error.errors![2]!.message).to.include(missing2);
      expect(error.message).to.include(unknownId).and.include(missing2);
    });

    it('rejects a staff member that does not exist, naming staffId', () => {
      whenCreating(body({ staffId: unknownId })).thenError({ status: 404, paths: ['staffId'] });
    });

    it('treats a staff member of another workspace as not found', () => {
      whenCreating(body({ staffId: foreignStaff })).thenError({ status: 404, paths: ['staffId'] });
    });

    it('lists the client, the services and the staff member at once when all are missing', () => {
      whenCreating(body({ clientId: foreignClient, serviceIds: [unknownId, consultation], staffId: foreignStaff })).thenError({
        status: 404,
        paths: ['clientId', 'serviceIds[0]', 'staffId'],
      });
    });

    it('answers 404 before 422 (a missing client with a products service)', () => {
      whenCreating(body({ clientId: unknownId, serviceIds: [product] })).thenError({ status: 404, paths: ['clientId'] });
    });

    it('answers 400 before 404 (invalid startTime with a missing client)', () => {
      whenCreating(body({ clientId: unknownId, startTime: '9' })).thenError({ status: 400, paths: ['startTime'] });
    });
  });

  describe('business rules (422)', () => {
    it('rejects a service whose scope is not "sessions", naming it by index and id', () => {
      const error = whenCreating(body({ serviceIds: [consultation, product] })).thenError({ status: 422, paths: ['serviceIds[1]'] });
      expect(error.errors![0]!.message).to.include(product).and.include('products');
    });

    it('names every out-of-scope service', () => {
      whenCreating(body({ serviceIds: [product, consultation, product2] })).thenError({
        status: 422,
        paths: ['serviceIds[0]', 'serviceIds[2]'],
      });
    });

    it('rejects a field value of phase "post", naming its path', () => {
      whenCreating(
        body({
          fieldValues: [
            { fieldKey: 'a', value: 1 },
            { fieldKey: 'outcome', value: 'ok', phase: 'post' },
          ],
        }),
      ).thenError({ status: 422, paths: ['fieldValues[1].phase'] });
    });

    it('lists every broken rule at once (scope, post phase, duration over 1440)', () => {
      whenCreating(
        body({ serviceIds: [long1000, long500, product], fieldValues: [{ fieldKey: 'outcome', value: 'ok', phase: 'post' }] }),
      ).thenError({ status: 422, paths: ['serviceIds[2]', 'fieldValues[0].phase', 'durationMinutes'] });
    });

    it('does not apply the scope rule to a request that is otherwise valid and in scope', () => {
      whenCreating(body({ serviceIds: [consultation] })).thenSession((e) => expect(e.data.durationMinutes).to.equal(30));
    });
  });

  describe('the catalog facts recorded', () => {
    it('records services in request order with their names and durations, and the staff member', () => {
      whenCreating(body({ serviceIds: [openEnded, checkup, consultation], staffId })).thenSession((e) => {
        expect(e.data.services).to.deep.equal([
          { id: openEnded, name: 'Open-ended', durationMinutes: null },
          { id: checkup, name: 'فحص عام', durationMinutes: 60 },
          { id: consultation, name: 'استشارة طبية', durationMinutes: 30 },
        ]);
        expect(e.data.requested.serviceIds).to.deep.equal([openEnded, checkup, consultation]);
        expect(e.data.staff).to.deep.equal({ id: staffId, name: 'Dr. Smith' });
        expect(e.data.client).to.deep.equal({ id: clientId, name: 'John Doe' });
        expect(e.data.sessionId).to.equal(sessionId);
        expect(e.data.workspaceId).to.equal(ws);
      });
    });

    it('decides on the catalog as folded from the events (a renamed client is seen by its latest name)', () => {
      given(...catalog, clientRegistered(ws, clientId, 'John A. Doe'))
        .when(createSession(body(), ids))
        .thenSession((e) => expect(e.data.client.name).to.equal('John A. Doe'));
    });

    it('ignores earlier sessions when deciding (SessionCreated does not change the catalog)', () => {
      const earlier = newId();
      let previous: SessionCreated | undefined;
      given(...catalog)
        .when(createSession(body(), { workspaceId: ws, id: earlier }))
        .thenSession((e) => (previous = e));
      given(...catalog, previous!)
        .when(createSession(body(), ids))
        .thenSession((e) => expect(e.data.durationMinutes).to.equal(90));
    });
  });

  it('rejects each required field missing on its own with 400 naming it', () => {
    for (const field of ['name', 'clientId', 'serviceIds', 'date', 'startTime']) {
      whenCreating(without(field)).thenError({ status: 400, paths: [field] });
    }
  });
});

/**
 * Decider specifications for a session's life after its creation: every PATCH field, the rules
 * a change follows, what each status allows, the actions, cancel reasons and DST on reschedule.
 */
import { expect } from 'chai';
import { parseCancelSession, type CancelSession } from '../../src/commands/cancelSession.js';
import { evolveCatalog, initialCatalogState } from '../../src/commands/catalogState.js';
import type { CompleteSession } from '../../src/commands/completeSession.js';
import { parseCreateSession, type CreateSession } from '../../src/commands/createSession.js';
import { fold } from '../../src/commands/decider.js';
import { sessionDecider, type SessionContext } from '../../src/commands/session.js';
import type { StartSession } from '../../src/commands/startSession.js';
import { parseUpdateSession, type UpdateSession } from '../../src/commands/updateSession.js';
import type { EventMetadata } from '../../src/events/envelope.js';
import type { SessionCreated, SessionEvent, SessionStatus, SessionTimes } from '../../src/events/session.js';
import { AppError } from '../../src/errors.js';
import { deciderSpec } from '../support/specification.js';
import { clientRegistered, commandMetadata, newId, serviceDefined, staffMemberAdded, workspaceCreated } from './scenario.js';

const workspaceId = newId();
const parisId = newId();
const newYorkId = newId();
const clientA = newId();
const clientB = newId();
const s30 = newId();
const s60 = newId();
const sOpen = newId();
const sProduct = newId();
const staffX = newId();
const staffY = newId();

const catalogEvents = [workspaceId, parisId, newYorkId].flatMap((ws, i) => [
  workspaceCreated(ws, ['UTC', 'Europe/Paris', 'America/New_York'][i]),
  clientRegistered(ws, clientA, 'John Doe'),
  clientRegistered(ws, clientB, 'Jane Roe'),
  serviceDefined(ws, s30, 30, { name: 'Consultation' }),
  serviceDefined(ws, s60, 60, { name: 'Check-up' }),
  serviceDefined(ws, sOpen, null, { name: 'Open-ended' }),
  serviceDefined(ws, sProduct, 10, { name: 'Vitamins', scope: 'products' }),
  staffMemberAdded(ws, staffX, 'Dr. Smith'),
  staffMemberAdded(ws, staffY, 'Dr. Jones'),
]);
// The stores keep one entry per id; the deciders only look at the workspace the command names.
const contextFor = (ws: string): SessionContext => ({
  catalog: catalogEvents.filter((e) => e.data.workspaceId === ws).reduce(evolveCatalog, initialCatalogState()),
});
const context = contextFor(workspaceId);
const noCatalog: SessionContext = { catalog: initialCatalogState() };

const metadata = (ws = workspaceId, overrides: Partial<EventMetadata> = {}): EventMetadata => commandMetadata(ws, overrides);
const emitted = (ws = workspaceId, overrides: Partial<EventMetadata> = {}): EventMetadata => ({
  ...metadata(ws, overrides),
  schemaVersion: 1,
});

const baseBody = { name: 'Massage', clientId: clientA, serviceIds: [s30, s60], staffId: staffX, date: '2024-03-01', startTime: '09:00' };

const created = (body: Record<string, unknown> = {}, ws = workspaceId, sessionId = newId()): SessionCreated => {
  const command: CreateSession = {
    type: 'CreateSession',
    data: { ...parseCreateSession({ ...baseBody, ...body }), sessionId, workspaceId: ws },
    metadata: metadata(ws, { occurredAt: '2024-01-10T08:00:00.000Z' }),
  };
  return sessionDecider.decide(command, null, contextFor(ws))[0] as SessionCreated;
};

const update = (event: SessionCreated, body: Record<string, unknown>, overrides: Partial<EventMetadata> = {}): UpdateSession => ({
  type: 'UpdateSession',
  data: { sessionId: event.data.sessionId, workspaceId: event.data.workspaceId, patch: parseUpdateSession(body) },
  metadata: metadata(event.data.workspaceId, overrides),
});
const start = (event: SessionCreated): StartSession => ({
  type: 'StartSession',
  data: { sessionId: event.data.sessionId, workspaceId: event.data.workspaceId },
  metadata: metadata(event.data.workspaceId),
});
const complete = (event: SessionCreated): CompleteSession => ({
  type: 'CompleteSession',
  data: { sessionId: event.data.sessionId, workspaceId: event.data.workspaceId },
  metadata: metadata(event.data.workspaceId),
});
const cancel = (event: SessionCreated, body: Record<string, unknown>, occurredAt = '2024-01-15T10:00:00.000Z'): CancelSession => ({
  type: 'CancelSession',
  data: { ...parseCancelSession(body), sessionId: event.data.sessionId, workspaceId: event.data.workspaceId },
  metadata: metadata(event.data.workspaceId, { occurredAt }),
});

const ids = (e: SessionCreated) => ({ sessionId: e.data.sessionId, workspaceId: e.data.workspaceId });
const timesOf = (e: SessionCreated): SessionTimes => ({
  timeZone: e.data.timeZone,
  date: e.data.date,
  startTime: e.data.startTime,
  endTime: e.data.endTime,
  durationMinutes: e.data.durationMinutes,
  startAt: e.data.startAt,
  endAt: e.data.endAt,
});

/** The events a status change would leave in the stream, so that a session is in `status`. */
const historyIn = (status: SessionStatus, body: Record<string, unknown> = {}): SessionEvent[] => {
  const first = created(body);
  const spec = (command: Parameters<typeof sessionDecider.decide>[0], history: SessionEvent[]) =>
    sessionDecider.decide(command, fold(sessionDecider, history), noCatalog);
  if (status === 'scheduled') return [first];
  if (status === 'in-progress') return [first, ...spec(start(first), [first])];
  if (status === 'completed') return [first, ...spec(complete(first), [first])];
  return [first, ...spec(cancel(first, { reason: 'practice' }), [first])];
};
const firstOf = (history: SessionEvent[]) => history[0] as SessionCreated;

const session = deciderSpec(sessionDecider);

describe('the session lifecycle decisions', () => {
  describe('PATCH of name', () => {
    it('emits SessionDetailsChanged with the old and new name and the reason', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { name: '  Deep massage ', reason: ' asked by phone ' }), context)
        .then([
          {
            type: 'SessionDetailsChanged',
            data: { ...ids(e), name: { from: 'Massage', to: 'Deep massage' }, reason: 'asked by phone' },
            metadata: emitted(),
          },
        ]);
    });
  });

  describe('PATCH of fieldValues', () => {
    it('replaces the array, recording both (reason null when none is given)', () => {
      const e = created({ fieldValues: [{ fieldKey: 'a', value: 1 }] });
      session
        .given(e)
        .when(update(e, { fieldValues: [{ fieldKey: 'b', value: 'x', phase: 'pre' }] }), context)
        .then([
          {
            type: 'SessionDetailsChanged',
            data: {
              ...ids(e),
              fieldValues: { from: [{ fieldKey: 'a', value: 1, phase: 'pre' }], to: [{ fieldKey: 'b', value: 'x', phase: 'pre' }] },
              reason: null,
            },
            metadata: emitted(),
          },
        ]);
    });

    it('one event carries name and field values together when both change', () => {
      const e = created({ fieldValues: [{ fieldKey: 'a', value: 1 }] });
      session
        .given(e)
        .when(update(e, { name: 'Other', fieldValues: [], reason: 'r' }), context)
        .then([
          {
            type: 'SessionDetailsChanged',
            data: {
              ...ids(e),
              name: { from: 'Massage', to: 'Other' },
              fieldValues: { from: [{ fieldKey: 'a', value: 1, phase: 'pre' }], to: [] },
              reason: 'r',
            },
            metadata: emitted(),
          },
        ]);
    });

    it('post-phase values are a 422 while the session is scheduled', () => {
      const e = created();
      session
        .given(e)
        .when(
          update(e, {
            fieldValues: [
              { fieldKey: 'ok', value: 1 },
              { fieldKey: 'outcome', value: 'fine', phase: 'post' },
            ],
          }),
          context,
        )
        .thenError({
          status: 422,
          errors: [{ path: 'fieldValues[1].phase', message: 'post-session values can only be set once the session has started' }],
        });
    });
  });

  describe('PATCH of clientId', () => {
    it('emits SessionClientChanged with both clients (names from the catalog)', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { clientId: clientB, reason: 'wrong client' }), context)
        .then([
          {
            type: 'SessionClientChanged',
            data: { ...ids(e), from: { id: clientA, name: 'John Doe' }, to: { id: clientB, name: 'Jane Roe' }, reason: 'wrong client' },
            metadata: emitted(),
          },
        ]);
    });

    it('a client missing from the workspace is a 404 on clientId', () => {
      const e = created();
      const missing = newId();
      session
        .given(e)
        .when(update(e, { clientId: missing }), context)
        .thenError({ status: 404, errors: [{ path: 'clientId', message: `client ${missing} not found in this workspace` }] });
    });
  });

  describe('PATCH of staffId', () => {
    it('emits SessionStaffReassigned from one member to another', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { staffId: staffY }), context)
        .then([
          {
            type: 'SessionStaffReassigned',
            data: { ...ids(e), from: { id: staffX, name: 'Dr. Smith' }, to: { id: staffY, name: 'Dr. Jones' }, reason: null },
            metadata: emitted(),
          },
        ]);
    });

    it('null removes the staff member', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { staffId: null }), context)
        .then([
          {
            type: 'SessionStaffReassigned',
            data: { ...ids(e), from: { id: staffX, name: 'Dr. Smith' }, to: null, reason: null },
            metadata: emitted(),
          },
        ]);
    });

    it('assigns one to a session that had none', () => {
      const e = created({ staffId: null });
      session
        .given(e)
        .when(update(e, { staffId: staffY }), context)
        .then([
          {
            type: 'SessionStaffReassigned',
            data: { ...ids(e), from: null, to: { id: staffY, name: 'Dr. Jones' }, reason: null },
            metadata: emitted(),
          },
        ]);
    });
  });

  describe('PATCH of date and startTime', () => {
    it('emits SessionRescheduled with the old and new local day, start, duration and instants', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { date: '2024-03-02', startTime: '14:30', reason: 'moved' }), context)
        .then([
          {
            type: 'SessionRescheduled',
            data: {
              ...ids(e),
              from: timesOf(e),
              to: {
                timeZone: 'UTC',
                date: '2024-03-02T00:00:00.000Z',
                startTime: '14:30',
                endTime: '16:00',
                durationMinutes: 90,
                startAt: '2024-03-02T14:30:00.000Z',
                endAt: '2024-03-02T16:00:00.000Z',
              },
              durationSource: 'services',
              disambiguation: null,
              reason: 'moved',
            },
            metadata: emitted(),
          },
        ]);
    });
  });

  describe('PATCH of durationMinutes', () => {
    it('a number sets it by hand and moves endAt and endTime', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { durationMinutes: 45 }), context)
        .thenEvents((events) => {
          expect(events.map((x) => x.type)).to.deep.equal(['SessionRescheduled']);
          const data = events[0]!.data as { to: SessionTimes; durationSource: string };
          expect(data.to).to.deep.equal({ ...timesOf(e), durationMinutes: 45, endTime: '09:45', endAt: '2024-03-01T09:45:00.000Z' });
          expect(data.durationSource).to.equal('request');
        });
    });

    it('null derives it from the services again', () => {
      const e = created({ durationMinutes: 20 });
      session
        .given(e)
        .when(update(e, { durationMinutes: null }), context)
        .thenEvents((events) => {
          const data = events[0]!.data as { to: SessionTimes; durationSource: string };
          expect(events).to.have.length(1);
          expect(data.to.durationMinutes).to.equal(90);
          expect(data.to.endTime).to.equal('10:30');
          expect(data.durationSource).to.equal('services');
        });
    });

    it('null on services without durations gives the 60-minute default', () => {
      const e = created({ serviceIds: [sOpen], durationMinutes: 20 });
      session
        .given(e)
        .when(update(e, { durationMinutes: null }), context)
        .thenEvents((events) => {
          const data = events[0]!.data as { to: SessionTimes; durationSource: string };
          expect([data.to.durationMinutes, data.durationSource]).to.deep.equal([60, 'default']);
        });
    });

    it('the derived value given by hand is recorded, so that it no longer follows the services', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { durationMinutes: 90 }), context)
        .thenEvents((events) => {
          expect(events.map((x) => x.type)).to.deep.equal(['SessionRescheduled']);
          expect(events[0]!.data).to.deep.include({ from: timesOf(e), to: timesOf(e), durationSource: 'request' });
          session
            .given(e, ...events)
            .when(update(e, { serviceIds: [s60] }), context)
            .thenEvents((next) => {
              expect(next.map((x) => x.type)).to.deep.equal(['SessionServicesChanged']);
            });
        });
    });

    it('null on a hand-set value equal to the sum makes it follow the services again', () => {
      const e = created({ durationMinutes: 90 });
      session
        .given(e)
        .when(update(e, { durationMinutes: null }), context)
        .thenEvents((events) => {
          expect(events.map((x) => x.type)).to.deep.equal(['SessionRescheduled']);
          expect(events[0]!.data).to.deep.include({ durationSource: 'services' });
          session
            .given(e, ...events)
            .when(update(e, { serviceIds: [s60] }), context)
            .thenEvents((next) => {
              expect(next.map((x) => x.type)).to.deep.equal(['SessionServicesChanged', 'SessionRescheduled']);
            });
        });
    });

    it('a duration over a day is a 400 from the schema', () => {
      const e = created();
      expect(() => update(e, { durationMinutes: 1441 }))
        .to.throw(AppError)
        .with.property('status', 400);
    });
  });

  describe('PATCH of serviceIds', () => {
    it('the duration follows the services when it was derived from them', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { serviceIds: [s60] }), context)
        .then([
          {
            type: 'SessionServicesChanged',
            data: {
              ...ids(e),
              from: [
                { id: s30, name: 'Consultation', durationMinutes: 30 },
                { id: s60, name: 'Check-up', durationMinutes: 60 },
              ],
              to: [{ id: s60, name: 'Check-up', durationMinutes: 60 }],
              durationSource: 'services',
              summedServiceDurations: [60],
              reason: null,
            },
            metadata: emitted(),
          },
          {
            type: 'SessionRescheduled',
            data: {
              ...ids(e),
              from: timesOf(e),
              to: { ...timesOf(e), durationMinutes: 60, endTime: '10:00', endAt: '2024-03-01T10:00:00.000Z' },
              durationSource: 'services',
              disambiguation: null,
              reason: null,
            },
            metadata: emitted(),
          },
        ]);
    });

    it('the duration stays when it was set by hand', () => {
      const e = created({ durationMinutes: 20 });
      session
        .given(e)
        .when(update(e, { serviceIds: [s60] }), context)
        .thenEvents((events) => {
          expect(events.map((x) => x.type)).to.deep.equal(['SessionServicesChanged']);
          expect(events[0]!.data).to.deep.include({ durationSource: 'request', summedServiceDurations: [] });
        });
    });

    it('services with a hand-set duration in the same patch use that duration', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { serviceIds: [s30], durationMinutes: 50 }), context)
        .thenEvents((events) => {
          expect(events.map((x) => x.type)).to.deep.equal(['SessionServicesChanged', 'SessionRescheduled']);
          expect((events[1]!.data as { to: SessionTimes }).to.durationMinutes).to.equal(50);
        });
    });

    it('a service of another scope is a 422, a missing one a 404', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { serviceIds: [s30, sProduct] }), context)
        .thenError({ status: 422, paths: ['serviceIds[1]'] });
      const missing = newId();
      session
        .given(e)
        .when(update(e, { serviceIds: [missing] }), context)
        .thenError({ status: 404, paths: ['serviceIds[0]'] });
    });
  });

  describe('a patch that changes nothing', () => {
    it('emits no event (same values, or only a reason)', () => {
      const e = created({ fieldValues: [{ fieldKey: 'a', value: 1 }] });
      session
        .given(e)
        .when(
          update(e, {
            name: 'Massage',
            clientId: clientA,
            serviceIds: [s30, s60],
            staffId: staffX,
            date: '2024-03-01',
            startTime: '09:00',
            fieldValues: [{ fieldKey: 'a', value: 1, phase: 'pre' }],
            reason: 'nothing really',
          }),
          context,
        )
        .thenNothing();
      session.given(e).when(update(e, {}), context).thenNothing();
    });
  });

  describe('one patch changing several things', () => {
    it('emits one event per kind of change, in one decision', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { name: 'N', clientId: clientB, staffId: null, startTime: '11:00' }), context)
        .thenEvents((events) => {
          expect(events.map((x) => x.type)).to.deep.equal([
            'SessionDetailsChanged',
            'SessionClientChanged',
            'SessionStaffReassigned',
            'SessionRescheduled',
          ]);
        });
    });

    it('reports every broken rule in one 422', () => {
      const e = created();
      session
        .given(e)
        .when(update(e, { serviceIds: [sProduct], fieldValues: [{ fieldKey: 'x', value: 1, phase: 'post' }] }), context)
        .thenError({ status: 422, paths: ['serviceIds[0]', 'fieldValues[0].phase'] });
    });
  });

  describe('what each status allows', () => {
    const refusedPatches: Record<SessionStatus, Record<string, unknown>[]> = {
      scheduled: [],
      'in-progress': [{ clientId: clientB }, { serviceIds: [s30] }, { staffId: null }, { startTime: '10:00' }, { date: '2024-03-02' }],
      completed: [{ name: 'x' }, { durationMinutes: 10 }, { fieldValues: [{ fieldKey: 'pre', value: 1 }] }, { staffId: staffY }],
      cancelled: [{ name: 'x' }, { fieldValues: [{ fieldKey: 'p', value: 1, phase: 'post' }] }, { durationMinutes: 10 }],
    };
    const allowed = {
      scheduled: {
        fields: ['name', 'clientId', 'serviceIds', 'staffId', 'date/startTime', 'durationMinutes', 'fieldValues', 'fieldValues.post'],
        actions: ['start', 'complete', 'cancel'],
      },
      'in-progress': { fields: ['name', 'durationMinutes', 'fieldValues', 'fieldValues.post'], actions: ['complete', 'cancel'] },
      completed: { fields: ['fieldValues.post'], actions: [] },
      cancelled: { fields: [], actions: [] },
    };

    for (const status of ['in-progress', 'completed', 'cancelled'] as const) {
      for (const body of refusedPatches[status]) {
        it(`a ${status} session refuses ${JSON.stringify(body)} with a 409 not-editable listing what it allows`, () => {
          const history = historyIn(status);
          const error = session
            .given(...history)
            .when(update(firstOf(history), body), context)
            .thenError({ status: 409, code: 'not-editable' });
          expect(error.problemExtensions()).to.deep.equal({ sessionStatus: status, allowed: allowed[status] });
        });
      }
    }

    it('an in-progress session takes name, duration and both phases of field values', () => {
      const history = historyIn('in-progress');
      session
        .given(...history)
        .when(
          update(firstOf(history), {
            name: 'Longer',
            durationMinutes: 120,
            fieldValues: [
              { fieldKey: 'pre', value: 1 },
              { fieldKey: 'outcome', value: 'ok', phase: 'post' },
            ],
          }),
          context,
        )
        .thenEvents((events) => expect(events.map((x) => x.type)).to.deep.equal(['SessionDetailsChanged', 'SessionRescheduled']));
    });

    it('a completed session takes post-phase field values only', () => {
      const history = historyIn('completed', { fieldValues: [{ fieldKey: 'pre', value: 1 }] });
      session
        .given(...history)
        .when(
          update(firstOf(history), {
            fieldValues: [
              { fieldKey: 'pre', value: 1 },
              { fieldKey: 'outcome', value: 'ok', phase: 'post' },
            ],
          }),
          context,
        )
        .thenEvents((events) => expect(events.map((x) => x.type)).to.deep.equal(['SessionDetailsChanged']));
    });

    it('a no-op patch of a cancelled session is still no event (nothing to refuse)', () => {
      const history = historyIn('cancelled');
      session
        .given(...history)
        .when(update(firstOf(history), { name: 'Massage' }), context)
        .thenNothing();
    });

    const transitions: [SessionStatus, 'start' | 'complete' | 'cancel', SessionStatus | null][] = [
      ['scheduled', 'start', 'in-progress'],
      ['scheduled', 'complete', 'completed'],
      ['scheduled', 'cancel', 'cancelled'],
      ['in-progress', 'start', null],
      ['in-progress', 'complete', 'completed'],
      ['in-progress', 'cancel', 'cancelled'],
      ['completed', 'start', null],
      ['completed', 'complete', null],
      ['completed', 'cancel', null],
      ['cancelled', 'start', null],
      ['cancelled', 'complete', null],
      ['cancelled', 'cancel', null],
    ];
    for (const [from, action, to] of transitions) {
      it(`${action} on a ${from} session ${to ? `gives ${to}` : 'is a 409 invalid-transition'}`, () => {
        const history = historyIn(from);
        const e = firstOf(history);
        const command = action === 'start' ? start(e) : action === 'complete' ? complete(e) : cancel(e, { reason: 'client-request' });
        const then = session.given(...history).when(command, noCatalog);
        if (to === null) {
          const error = then.thenError({ status: 409, code: 'invalid-transition' });
          expect(error.problemExtensions()).to.deep.equal({ sessionStatus: from, allowed: allowed[from] });
          return;
        }
        const type = { start: 'SessionStarted', complete: 'SessionCompleted', cancel: 'SessionCancelled' }[action];
        const data =
          action === 'cancel' ? { ...ids(e), from, reason: 'client-request', note: null, cancelledBy: 'client' } : { ...ids(e), from };
        then.then([
          {
            type,
            data,
            metadata: emitted(workspaceId, action === 'cancel' ? { occurredAt: '2024-01-15T10:00:00.000Z' } : {}),
          } as SessionEvent,
        ]);
        const state = fold(sessionDecider, [...history, ...sessionDecider.decide(command, fold(sessionDecider, history), noCatalog)]);
        expect(state!.status).to.equal(to);
        expect(state!.version).to.equal(history.length + 1);
      });
    }

    it('a session created as completed takes no start', () => {
      const e = created({ status: 'completed' });
      session.given(e).when(start(e), noCatalog).thenError({ status: 409, code: 'invalid-transition' });
    });
  });

  describe('cancel reasons', () => {
    it('records who the cancellation is attributed to and the trimmed note', () => {
      const e = created();
      session
        .given(e)
        .when(cancel(e, { reason: 'practice', note: ' doctor ill ' }), noCatalog)
        .thenEvents((events) => {
          expect(events[0]!.data).to.deep.equal({
            ...ids(e),
            from: 'scheduled',
            reason: 'practice',
            note: 'doctor ill',
            cancelledBy: 'practice',
          });
        });
    });

    it('"other" needs a note', () => {
      expect(() => parseCancelSession({ reason: 'other' }))
        .to.throw(AppError)
        .with.property('status', 400);
      expect(() => parseCancelSession({ reason: 'other', note: '  ' }))
        .to.throw(AppError)
        .with.property('status', 400);
      expect(parseCancelSession({ reason: 'other', note: 'moved away' })).to.deep.equal({ reason: 'other', note: 'moved away' });
    });

    it('an unknown reason, a missing one, and unknown fields are 400s', () => {
      for (const body of [{}, { reason: 'bored' }, { reason: 'practice', why: 1 }, { reason: 'practice', note: 'x'.repeat(501) }]) {
        expect(() => parseCancelSession(body), JSON.stringify(body))
          .to.throw(AppError)
          .with.property('status', 400);
      }
    });

    it('no-show is a 422 before startAt, by the command time', () => {
      const e = created();
      session
        .given(e)
        .when(cancel(e, { reason: 'no-show' }, '2024-03-01T08:59:59.999Z'), noCatalog)
        .thenError({ status: 422, paths: ['reason'], detailIncludes: ['2024-03-01T09:00:00.000Z'] });
    });

    it('no-show at or after startAt is recorded', () => {
      const e = created();
      session
        .given(e)
        .when(cancel(e, { reason: 'no-show' }, '2024-03-01T09:00:00.000Z'), noCatalog)
        .thenEvents((events) => {
          expect(events[0]!.data).to.deep.include({ reason: 'no-show', note: null });
        });
    });
  });

  describe('time zones on create', () => {
    it('a start in the Paris spring-forward gap is a 422 naming the first valid time', () => {
      const command: CreateSession = {
        type: 'CreateSession',
        data: { ...parseCreateSession({ ...baseBody, date: '2024-03-31', startTime: '02:30' }), sessionId: newId(), workspaceId: parisId },
        metadata: metadata(parisId),
      };
      session
        .given()
        .when(command, contextFor(parisId))
        .thenError({
          status: 422,
          errors: [
            {
              path: 'startTime',
              message:
                '02:30 does not exist on 2024-03-31 in Europe/Paris (the clocks move forward); the first valid time after it is 03:00',
            },
          ],
        });
    });

    it('a start in the New York fall-back overlap is a 422 naming both instants, unless disambiguated', () => {
      const body = { ...baseBody, date: '2024-11-03', startTime: '01:30' };
      const command = (extra: Record<string, unknown>): CreateSession => ({
        type: 'CreateSession',
        data: { ...parseCreateSession({ ...body, ...extra }), sessionId: newId(), workspaceId: newYorkId },
        metadata: metadata(newYorkId),
      });
      session
        .given()
        .when(command({}), contextFor(newYorkId))
        .thenError({
          status: 422,
          errors: [
            {
              path: 'startTime',
              message:
                '01:30 happens twice on 2024-11-03 in America/New_York (the clocks move back): at 2024-11-03T05:30:00.000Z ("earlier") and at 2024-11-03T06:30:00.000Z ("later"); send "disambiguation" to choose',
            },
          ],
        });
      session
        .given()
        .when(command({ disambiguation: 'later' }), contextFor(newYorkId))
        .thenEvents((events) => {
          expect((events[0] as SessionCreated).data).to.deep.include({
            startAt: '2024-11-03T06:30:00.000Z',
            endAt: '2024-11-03T08:00:00.000Z',
            endTime: '03:00',
          });
        });
    });
  });

  describe('time zones on reschedule', () => {
    it('a date with an offset names the local day in the workspace zone (Paris: 23:00Z is the next day)', () => {
      const e = created({ date: '2024-01-10', startTime: '10:00' }, parisId);
      session
        .given(e)
        .when(update(e, { date: '2024-01-19T23:00:00.000Z' }), contextFor(parisId))
        .thenEvents((events) => {
          expect((events[0]!.data as { to: SessionTimes }).to).to.deep.include({
            date: '2024-01-20T00:00:00.000Z',
            startAt: '2024-01-20T09:00:00.000Z',
          });
        });
    });

    it('a reschedule is resolved in the workspace zone, a duration change in the zone the session was booked in', () => {
      const e = created({ date: '2024-01-10', startTime: '10:00' }, parisId);
      // The same session seen from a workspace whose zone has since become New York.
      const moved = contextFor(newYorkId);
      moved.catalog.workspaces.set(parisId, { id: parisId, timeZone: 'America/New_York' });
      session
        .given(e)
        .when(update(e, { durationMinutes: 30 }), moved)
        .thenEvents((events) => {
          expect((events[0]!.data as { to: SessionTimes }).to).to.deep.include({
            timeZone: 'Europe/Paris',
            startAt: '2024-01-10T09:00:00.000Z',
          });
        });
      session
        .given(e)
        .when(update(e, { startTime: '11:00' }), moved)
        .thenEvents((events) => {
          expect((events[0]!.data as { to: SessionTimes }).to).to.deep.include({
            timeZone: 'America/New_York',
            startAt: '2024-01-10T16:00:00.000Z',
          });
        });
    });

    it('moving into the Paris gap is a 422 and nothing is decided', () => {
      const e = created({ date: '2024-03-30', startTime: '02:30' }, parisId);
      session
        .given(e)
        .when(update(e, { date: '2024-03-31' }), contextFor(parisId))
        .thenError({ status: 422, paths: ['startTime'], detailIncludes: ['does not exist'] });
    });

    it('moving into the Paris overlap needs disambiguation, which is recorded', () => {
      const e = created({ date: '2024-10-26', startTime: '02:30', durationMinutes: 60 }, parisId);
      session
        .given(e)
        .when(update(e, { date: '2024-10-27' }), contextFor(parisId))
        .thenError({ status: 422, paths: ['startTime'], detailIncludes: ['twice'] });
      session
        .given(e)
        .when(update(e, { date: '2024-10-27', disambiguation: 'earlier' }), contextFor(parisId))
        .thenEvents((events) => {
          expect(events[0]!.data).to.deep.include({ disambiguation: 'earlier' });
          expect((events[0]!.data as { to: SessionTimes }).to).to.deep.equal({
            timeZone: 'Europe/Paris',
            date: '2024-10-27T00:00:00.000Z',
            startTime: '02:30',
            endTime: '02:30',
            durationMinutes: 60,
            startAt: '2024-10-27T00:30:00.000Z',
            endAt: '2024-10-27T01:30:00.000Z',
          });
        });
    });

    it('a longer duration on a session created with disambiguation keeps its instant', () => {
      const e = created({ date: '2024-10-27', startTime: '02:30', durationMinutes: 60, disambiguation: 'later' }, parisId);
      session
        .given(e)
        .when(update(e, { durationMinutes: 90 }), contextFor(parisId))
        .thenEvents((events) => {
          expect((events[0]!.data as { to: SessionTimes }).to).to.deep.include({
            startAt: '2024-10-27T01:30:00.000Z',
            endAt: '2024-10-27T03:00:00.000Z',
            endTime: '04:00',
          });
        });
    });
  });
});

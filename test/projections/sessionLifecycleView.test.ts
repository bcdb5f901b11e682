/** Projection specifications: every session event after the create, on the session view. */
import { expect } from 'chai';
import type { EventMetadata } from '../../src/events/envelope.js';
import type { SessionCreated, SessionEvent, SessionTimes } from '../../src/events/session.js';
import { sessionBoundsId, sessionView, type SessionView } from '../../src/projections/sessionView.js';
import {
  clientRegistered,
  commandMetadata,
  createSession,
  given,
  newId,
  serviceDefined,
  staffMemberAdded,
  workspaceCreated,
} from '../commands/scenario.js';
import { projectionSpec } from '../support/specification.js';

describe('session view: the lifecycle events', () => {
  const workspaceId = newId();
  const clientId = newId();
  const otherClient = newId();
  const serviceA = newId();
  const serviceB = newId();
  const staffId = newId();
  const sessionId = newId();
  let created: SessionCreated;
  given(
    workspaceCreated(workspaceId),
    clientRegistered(workspaceId, clientId),
    serviceDefined(workspaceId, serviceA, 30),
    serviceDefined(workspaceId, serviceB, 60),
    staffMemberAdded(workspaceId, staffId),
  )
    .when(
      createSession(
        { name: 'Consultation', clientId, serviceIds: [serviceA], staffId, date: '2024-01-20', startTime: '10:00' },
        { workspaceId, id: sessionId },
      ),
    )
    .thenSession((event) => {
      created = event;
    });

  const at = (occurredAt: string, actor = { userId: 'user-2', name: 'Dr. Who' }): EventMetadata => ({
    ...commandMetadata(workspaceId, { occurredAt, actor }),
    schemaVersion: 1,
  });
  const ids = { sessionId, workspaceId };
  const view = () => projectionSpec(sessionView, () => `session-${sessionId}`);
  let base: SessionView;
  before(() => {
    view()
      .given(created)
      .thenDocument(sessionId, (d) => {
        base = d as SessionView;
      });
  });
  const expectAfter = (events: SessionEvent[], changes: Partial<SessionView>) =>
    view()
      .given(created, ...events)
      .then(sessionId, { ...base, ...changes, updatedAt: events[events.length - 1]!.metadata.occurredAt, version: events.length + 1 });

  const times = (): SessionTimes => ({
    timeZone: 'UTC',
    date: '2024-01-20T00:00:00.000Z',
    startTime: '10:00',
    endTime: '10:30',
    durationMinutes: 30,
    startAt: '2024-01-20T10:00:00.000Z',
    endAt: '2024-01-20T10:30:00.000Z',
  });

  it('SessionRescheduled moves the local day, times, zone and instants', () => {
    const to: SessionTimes = {
      timeZone: 'Europe/Paris',
      date: '2024-01-21T00:00:00.000Z',
      startTime: '11:00',
      endTime: '12:15',
      durationMinutes: 75,
      startAt: '2024-01-21T10:00:00.000Z',
      endAt: '2024-01-21T11:15:00.000Z',
    };
    expectAfter(
      [
        {
          type: 'SessionRescheduled',
          data: { ...ids, from: times(), to, durationSource: 'request', disambiguation: null, reason: null },
          metadata: at('2024-01-16T09:00:00.000Z'),
        },
      ],
      { ...to },
    );
  });

  it('SessionServicesChanged shows the new services and their names', () => {
    expectAfter(
      [
        {
          type: 'SessionServicesChanged',
          data: {
            ...ids,
            from: [{ id: serviceA, name: 'A', durationMinutes: 30 }],
            to: [
              { id: serviceB, name: 'Check-up', durationMinutes: 60 },
              { id: serviceA, name: 'A', durationMinutes: 30 },
            ],
            durationSource: 'request',
            summedServiceDurations: [],
            reason: 'x',
          },
          metadata: at('2024-01-16T09:00:00.000Z'),
        },
      ],
      { serviceIds: [serviceB, serviceA], serviceNames: ['Check-up', 'A'] },
    );
  });

  it('SessionStaffReassigned to nobody clears the staff member', () => {
    expectAfter(
      [
        {
          type: 'SessionStaffReassigned',
          data: { ...ids, from: { id: staffId, name: 'Dr. Smith' }, to: null, reason: null },
          metadata: at('2024-01-16T09:00:00.000Z'),
        },
      ],
      { staffId: null, staffName: null },
    );
  });

  it('SessionStaffReassigned to someone shows them', () => {
    const other = newId();
    expectAfter(
      [
        {
          type: 'SessionStaffReassigned',
          data: { ...ids, from: null, to: { id: other, name: 'Dr. Jones' }, reason: null },
          metadata: at('2024-01-16T09:00:00.000Z'),
        },
      ],
      { staffId: other, staffName: 'Dr. Jones' },
    );
  });

  it('SessionClientChanged shows the new client', () => {
    expectAfter(
      [
        {
          type: 'SessionClientChanged',
          data: { ...ids, from: { id: clientId, name: 'John Doe' }, to: { id: otherClient, name: 'Jane Roe' }, reason: null },
          metadata: at('2024-01-16T09:00:00.000Z'),
        },
      ],
      { clientId: otherClient, clientName: 'Jane Roe' },
    );
  });

  it('SessionDetailsChanged changes only what it carries', () => {
    const fieldValues = [{ fieldKey: 'k', value: true, phase: 'post' }];
    expectAfter(
      [
        {
          type: 'SessionDetailsChanged',
          data: { ...ids, name: { from: 'Consultation', to: 'Follow-up' }, reason: null },
          metadata: at('2024-01-16T09:00:00.000Z'),
        },
        {
          type: 'SessionDetailsChanged',
          data: { ...ids, fieldValues: { from: [], to: fieldValues }, reason: null },
          metadata: at('2024-01-16T09:05:00.000Z'),
        },
      ],
      { name: 'Follow-up', fieldValues },
    );
  });

  it('SessionStarted then SessionCompleted record their times and the status', () => {
    expectAfter(
      [
        { type: 'SessionStarted', data: { ...ids, from: 'scheduled' }, metadata: at('2024-01-20T10:01:00.000Z') },
        { type: 'SessionCompleted', data: { ...ids, from: 'in-progress' }, metadata: at('2024-01-20T10:35:00.000Z') },
      ],
      { status: 'completed', startedAt: '2024-01-20T10:01:00.000Z', completedAt: '2024-01-20T10:35:00.000Z' },
    );
  });

  it('SessionCancelled records the reason, note, time and who', () => {
    expectAfter(
      [
        {
          type: 'SessionCancelled',
          data: { ...ids, from: 'scheduled', reason: 'other', note: 'moved away', cancelledBy: 'client' },
          metadata: at('2024-01-18T12:00:00.000Z'),
        },
      ],
      {
        status: 'cancelled',
        cancellation: { reason: 'other', note: 'moved away', at: '2024-01-18T12:00:00.000Z', by: { userId: 'user-2', name: 'Dr. Who' } },
      },
    );
  });

  it('every lifecycle event touches exactly its own session, and a reschedule the workspace bounds too', () => {
    for (const type of [
      'SessionRescheduled',
      'SessionServicesChanged',
      'SessionStaffReassigned',
      'SessionClientChanged',
      'SessionDetailsChanged',
      'SessionStarted',
      'SessionCompleted',
      'SessionCancelled',
    ]) {
      expect(sessionView.handles, type).to.include(type);
      const event = {
        type,
        data: { ...ids },
        metadata: at('2024-01-16T09:00:00.000Z'),
        streamId: `session-${sessionId}`,
        revision: 1n,
        position: 2n,
      };
      const bounds = type === 'SessionRescheduled' ? [sessionBoundsId(workspaceId)] : [];
      expect(sessionView.documents(event), type).to.deep.equal({ workspaceId, ids: [sessionId, ...bounds] });
    }
  });

  it('a change whose session is absent creates nothing', () => {
    projectionSpec(sessionView)
      .given({ type: 'SessionStarted', data: { ...ids, from: 'scheduled' }, metadata: at('2024-01-20T10:01:00.000Z') })
      .thenAll({});
  });
});

import { expect } from 'chai';
import type { SessionCreated } from '../../src/events/session.js';
import { sessionBoundsId, sessionView } from '../../src/projections/sessionView.js';
import { clientRegistered, createSession, given, newId, serviceDefined, staffMemberAdded, workspaceCreated } from '../commands/scenario.js';
import { projectionSpec } from '../support/specification.js';

describe('session view', () => {
  const workspaceId = newId();
  const clientId = newId();
  const serviceA = newId();
  const serviceB = newId();
  const staffId = newId();
  const sessionId = newId();
  const catalog = [
    workspaceCreated(workspaceId),
    clientRegistered(workspaceId, clientId, 'John Doe'),
    serviceDefined(workspaceId, serviceA, 30, { name: 'استشارة طبية' }),
    serviceDefined(workspaceId, serviceB, 60, { name: 'General check-up' }),
    staffMemberAdded(workspaceId, staffId, 'Dr. Smith'),
  ];
  let created: SessionCreated;
  given(...catalog)
    .when(
      createSession(
        {
          name: 'Consultation',
          clientId,
          serviceIds: [serviceA, serviceB],
          staffId,
          date: '2024-01-20T10:00:00Z',
          startTime: '10:00',
          fieldValues: [{ fieldKey: 'notes', value: 'x' }],
        },
        { workspaceId, id: sessionId },
      ),
    )
    .thenSession((event) => {
      created = event;
    });

  it('a SessionCreated gives the documented session shape, with names from the catalog entries it was decided on', () => {
    projectionSpec(sessionView)
      .given(created)
      .then(sessionId, {
        id: sessionId,
        workspaceId,
        clientId,
        clientName: 'John Doe',
        serviceIds: [serviceA, serviceB],
        serviceNames: ['استشارة طبية', 'General check-up'],
        staffId,
        staffName: 'Dr. Smith',
        name: 'Consultation',
        date: '2024-01-20T00:00:00.000Z',
        startTime: '10:00',
        endTime: '11:30',
        durationMinutes: 90,
        status: 'scheduled',
        fieldValues: [{ fieldKey: 'notes', value: 'x', phase: 'pre' }],
        attachments: [],
        notes: [],
        invoice: null,
        createdAt: created.metadata.occurredAt,
        updatedAt: created.metadata.occurredAt,
        version: 1,
        timeZone: 'UTC',
        startAt: '2024-01-20T10:00:00.000Z',
        endAt: '2024-01-20T11:30:00.000Z',
        startedAt: null,
        completedAt: null,
        cancellation: null,
        overbooked: null,
      });
  });

  it('touches exactly the session the event names, and the bounds of its workspace', () => {
    const [event] = [{ ...created, streamId: `session-${sessionId}`, revision: 0n, position: 1n }];
    expect(sessionView.documents(event)).to.deep.equal({ workspaceId, ids: [sessionId, sessionBoundsId(workspaceId)] });
  });

  it('makes nothing of catalog events but the bounds of a new workspace', () => {
    projectionSpec(sessionView)
      .given(...catalog)
      .thenAll({
        [sessionBoundsId(workspaceId)]: { id: sessionBoundsId(workspaceId), workspaceId, longestMinutes: 0, sinceCreation: true },
      });
  });
});

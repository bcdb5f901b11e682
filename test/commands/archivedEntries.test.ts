import { expect } from 'chai';
import { evolveCatalog, initialCatalogState } from '../../src/commands/catalogState.js';
import { decideUpdateSession, parseUpdateSession } from '../../src/commands/updateSession.js';
import { evolveSession } from '../../src/commands/session.js';
import type { DomainEvent, SessionCreated } from '../../src/events/index.js';
import { expectAppError } from '../support/specification.js';
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

const v1 = (workspaceId: string) => ({ ...commandMetadata(workspaceId), schemaVersion: 1 });

describe('booking archived catalog entries', () => {
  const workspaceId = newId();
  const [clientId, serviceId, otherServiceId, staffId, sessionId] = [newId(), newId(), newId(), newId(), newId()];
  const catalog: DomainEvent[] = [
    workspaceCreated(workspaceId),
    clientRegistered(workspaceId, clientId),
    serviceDefined(workspaceId, serviceId, 30),
    serviceDefined(workspaceId, otherServiceId, 60),
    staffMemberAdded(workspaceId, staffId),
  ];
  const archived: DomainEvent[] = [
    { type: 'ClientArchived', data: { clientId, workspaceId }, metadata: v1(workspaceId) },
    { type: 'ServiceArchived', data: { serviceId, workspaceId }, metadata: v1(workspaceId) },
    { type: 'StaffMemberArchived', data: { staffId, workspaceId }, metadata: v1(workspaceId) },
  ];
  const body = { name: 'S', clientId, serviceIds: [otherServiceId, serviceId], staffId, date: '2024-01-20', startTime: '10:00' };

  it('rejects a new session naming an archived client, service and staff member with one 422 naming each', () => {
    given(...catalog, ...archived)
      .when(createSession(body, { workspaceId, id: sessionId }))
      .thenError({
        status: 422,
        errors: [
          { path: 'clientId', message: `client ${clientId} is archived` },
          { path: 'serviceIds[1]', message: `service ${serviceId} is archived` },
          { path: 'staffId', message: `staff member ${staffId} is archived` },
        ],
      });
  });

  it('books them again once unarchived', () => {
    given(
      ...catalog,
      ...archived,
      { type: 'ClientUnarchived', data: { clientId, workspaceId }, metadata: v1(workspaceId) },
      { type: 'ServiceUnarchived', data: { serviceId, workspaceId }, metadata: v1(workspaceId) },
      { type: 'StaffMemberUnarchived', data: { staffId, workspaceId }, metadata: v1(workspaceId) },
    )
      .when(createSession(body, { workspaceId, id: sessionId }))
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['SessionCreated']));
  });

  describe('in a PATCH of a session booked before the archive', () => {
    const before = catalog.reduce(evolveCatalog, initialCatalogState());
    let created: SessionCreated;
    given(...catalog)
      .when(createSession({ ...body, serviceIds: [serviceId] }, { workspaceId, id: sessionId }))
      .thenSession((e) => (created = e));
    const after = () => [...catalog, ...archived].reduce(evolveCatalog, initialCatalogState());
    const session = () => evolveSession(null, created)!;
    const patch = (p: unknown) =>
      decideUpdateSession(
        { type: 'UpdateSession', data: { sessionId, workspaceId, patch: parseUpdateSession(p) }, metadata: commandMetadata(workspaceId) },
        session(),
        after(),
      );

    it('keeps an archived service the session already has', () => {
      expect(before.services.get(serviceId)!.archived).to.equal(false);
      const events = patch({ serviceIds: [serviceId, otherServiceId] });
      expect(events.map((e) => e.type)).to.include('SessionServicesChanged');
    });

    it('rejects with 422 switching to an archived client or staff member', () => {
      const otherClient = newId();
      const state = [...catalog, clientRegistered(workspaceId, otherClient), ...archived].reduce(evolveCatalog, initialCatalogState());
      const decide = () =>
        decideUpdateSession(
          {
            type: 'UpdateSession',
            data: { sessionId, workspaceId, patch: parseUpdateSession({ staffId: null }) },
            metadata: commandMetadata(workspaceId),
          },
          session(),
          state,
        );
      expect(decide().map((e) => e.type)).to.deep.equal(['SessionStaffReassigned']);
      const archivedStaff = newId();
      const withArchivedStaff = [
        ...catalog,
        staffMemberAdded(workspaceId, archivedStaff),
        { type: 'StaffMemberArchived', data: { staffId: archivedStaff, workspaceId }, metadata: v1(workspaceId) } as DomainEvent,
      ].reduce(evolveCatalog, initialCatalogState());
      try {
        decideUpdateSession(
          {
            type: 'UpdateSession',
            data: { sessionId, workspaceId, patch: parseUpdateSession({ staffId: archivedStaff }) },
            metadata: commandMetadata(workspaceId),
          },
          session(),
          withArchivedStaff,
        );
        expect.fail('expected a 422');
      } catch (error) {
        expectAppError(error, { status: 422, errors: [{ path: 'staffId', message: `staff member ${archivedStaff} is archived` }] });
      }
    });
  });
});

describe('a session booked after the workspace changed its time zone', () => {
  const workspaceId = newId();
  const [clientId, serviceId] = [newId(), newId()];
  it('is scheduled in the new zone', () => {
    given(
      workspaceCreated(workspaceId, 'UTC'),
      { type: 'WorkspaceTimeZoneChanged', data: { workspaceId, from: 'UTC', to: 'Asia/Riyadh' }, metadata: v1(workspaceId) },
      clientRegistered(workspaceId, clientId),
      serviceDefined(workspaceId, serviceId, 30),
    )
      .when(
        createSession(
          { name: 'S', clientId, serviceIds: [serviceId], date: '2024-01-20', startTime: '10:00' },
          { workspaceId, id: newId() },
        ),
      )
      .thenSession((e) => expect(e.data).to.include({ timeZone: 'Asia/Riyadh', startAt: '2024-01-20T07:00:00.000Z' }));
  });
});

import { parseCreateSession, type CreateSession } from '../../src/commands/createSession.js';
import { evolveCatalog, initialCatalogState } from '../../src/commands/catalogState.js';
import { sessionDecider, type SessionContext } from '../../src/commands/session.js';
import type { SessionCreated } from '../../src/events/session.js';
import { clientRegistered, commandMetadata, newId, serviceDefined, workspaceCreated } from './scenario.js';
import { deciderSpec } from '../support/specification.js';
import { expect } from 'chai';

describe('the session aggregate', () => {
  const workspaceId = newId();
  const clientId = newId();
  const serviceId = newId();
  const context: SessionContext = {
    catalog: [workspaceCreated(workspaceId), clientRegistered(workspaceId, clientId), serviceDefined(workspaceId, serviceId, 45)].reduce(
      evolveCatalog,
      initialCatalogState(),
    ),
  };
  const create = (sessionId: string): CreateSession => ({
    type: 'CreateSession',
    data: {
      ...parseCreateSession({ name: 'Massage', clientId, serviceIds: [serviceId], date: '2024-03-01', startTime: '09:15' }),
      sessionId,
      workspaceId,
    },
    metadata: commandMetadata(workspaceId),
  });

  describe('creating a session that does not exist yet', () => {
    it('decides one SessionCreated for that session', () => {
      const sessionId = newId();
      deciderSpec(sessionDecider)
        .given()
        .when(create(sessionId), context)
        .thenEvents((events) => {
          expect(events.map((e) => e.type)).to.deep.equal(['SessionCreated']);
          expect((events[0] as SessionCreated).data).to.deep.include({
            sessionId,
            durationMinutes: 45,
            endTime: '10:00',
            status: 'scheduled',
          });
        });
    });
  });

  describe('creating a session whose stream already holds one', () => {
    it('is a 409 conflict', () => {
      const sessionId = newId();
      const [first] = sessionDecider.decide(create(sessionId), null, context);
      deciderSpec(sessionDecider)
        .given(first!)
        .when(create(sessionId), context)
        .thenError({ status: 409, detailIncludes: [sessionId] });
    });
  });

  describe('folding a SessionCreated', () => {
    it('gives the state the decisions read', () => {
      const sessionId = newId();
      const [first] = sessionDecider.decide(create(sessionId), null, context);
      expect(sessionDecider.evolve(sessionDecider.initialState(), first!)).to.deep.equal({
        id: sessionId,
        workspaceId,
        status: 'scheduled',
        name: 'Massage',
        client: { id: clientId, name: 'John Doe' },
        services: [{ id: serviceId, name: `Service ${serviceId.slice(-4)}`, durationMinutes: 45 }],
        staff: null,
        times: {
          timeZone: 'UTC',
          date: '2024-03-01T00:00:00.000Z',
          startTime: '09:15',
          endTime: '10:00',
          durationMinutes: 45,
          startAt: '2024-03-01T09:15:00.000Z',
          endAt: '2024-03-01T10:00:00.000Z',
        },
        durationSource: 'services',
        summedServiceDurations: [45],
        disambiguation: null,
        fieldValues: [],
        version: 1,
      });
    });
  });
});

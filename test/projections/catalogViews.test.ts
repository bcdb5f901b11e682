import { clientView } from '../../src/projections/clientView.js';
import { serviceView } from '../../src/projections/serviceView.js';
import { staffView } from '../../src/projections/staffView.js';
import { publicWorkspace, workspaceView } from '../../src/projections/workspaceView.js';
import { expect } from 'chai';
import { clientRegistered, commandMetadata, newId, serviceDefined, staffMemberAdded, workspaceCreated } from '../commands/scenario.js';
import { projectionSpec } from '../support/specification.js';

const at = commandMetadata('x').occurredAt;

describe('catalog views', () => {
  const workspaceId = newId();

  it('a WorkspaceCreated gives the workspace document, whose public shape has no workspaceId', () => {
    projectionSpec(workspaceView).given(workspaceCreated(workspaceId, 'Europe/Paris')).then(workspaceId, {
      id: workspaceId,
      workspaceId,
      name: 'Clinic',
      timeZone: 'Europe/Paris',
      version: 1,
      createdAt: at,
      updatedAt: at,
    });
    projectionSpec(workspaceView)
      .given(workspaceCreated(workspaceId))
      .thenDocument(workspaceId, (doc) => expect(publicWorkspace(doc)).to.not.have.property('workspaceId'));
  });

  it('a ClientRegistered gives the client document', () => {
    const clientId = newId();
    projectionSpec(clientView)
      .given(clientRegistered(workspaceId, clientId, 'أحمد'))
      .then(clientId, {
        id: clientId,
        workspaceId,
        name: 'أحمد',
        email: null,
        phone: null,
        archived: false,
        version: 1,
        createdAt: at,
        updatedAt: at,
        nameSearch: 'احمد',
        nameSort: 'احمد\u0001أحمد',
      });
  });

  it('a ServiceDefined gives the service document with its scope and duration', () => {
    const serviceId = newId();
    projectionSpec(serviceView)
      .given(serviceDefined(workspaceId, serviceId, 45, { name: 'Massage', scope: 'sessions' }))
      .then(serviceId, {
        id: serviceId,
        workspaceId,
        name: 'Massage',
        scope: 'sessions',
        durationMinutes: 45,
        archived: false,
        version: 1,
        createdAt: at,
        updatedAt: at,
        nameSearch: 'massage',
        nameSort: 'massage\u0001Massage',
      });
  });

  it('a StaffMemberAdded gives the staff document', () => {
    const staffId = newId();
    projectionSpec(staffView)
      .given(staffMemberAdded(workspaceId, staffId, 'Dr. Who'))
      .then(staffId, {
        id: staffId,
        workspaceId,
        name: 'Dr. Who',
        email: null,
        archived: false,
        version: 1,
        createdAt: at,
        updatedAt: at,
        nameSearch: 'dr. who',
        nameSort: 'dr. who\u0001Dr. Who',
      });
  });

  it('each view ignores the events of the others', () => {
    const clientId = newId();
    projectionSpec(serviceView).given(workspaceCreated(workspaceId), clientRegistered(workspaceId, clientId)).thenAll({});
  });
});

import { expect } from 'chai';
import { clientRegisteredVersion } from '../../src/events/client.js';
import { serviceDefinedVersion } from '../../src/events/service.js';
import { staffMemberAddedVersion } from '../../src/events/staff.js';
import { workspaceCreatedVersion } from '../../src/events/workspace.js';
import {
  addStaffMember,
  clientRegistered,
  commandMetadata,
  createWorkspace,
  defineService,
  given,
  newId,
  registerClient,
  workspaceCreated,
} from './scenario.js';

describe('deciding CreateWorkspace', () => {
  const workspaceId = newId();
  const ids = { workspaceId, id: workspaceId };

  it('decides WorkspaceCreated with the trimmed name, UTC by default, and the metadata passed through', () => {
    const metadata = commandMetadata(workspaceId, { requestId: 'req-ws', correlationId: 'corr-ws', actor: { userId: 'platform-admin' } });
    given()
      .when(createWorkspace({ name: '  Clinic of Hope ' }, { ...ids, metadata }))
      .then([
        {
          type: 'WorkspaceCreated',
          data: { workspaceId, name: 'Clinic of Hope', timeZone: 'UTC' },
          metadata: { ...metadata, schemaVersion: workspaceCreatedVersion },
        },
      ]);
  });

  it('keeps a valid IANA time zone', () => {
    for (const zone of ['Europe/Paris', 'Asia/Riyadh', 'America/New_York', 'UTC', 'Etc/GMT+1']) {
      given()
        .when(createWorkspace({ name: 'Clinic', timeZone: zone }, ids))
        .thenEvents((events) => expect(events[0]!.data).to.have.property('timeZone', zone));
    }
  });

  it('keeps current IANA names that the runtime resolves to outdated aliases', () => {
    for (const zone of ['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'Etc/UTC']) {
      given()
        .when(createWorkspace({ name: 'Clinic', timeZone: zone }, ids))
        .thenEvents((events) => expect(events[0]!.data).to.have.property('timeZone', zone));
    }
  });

  it('fixes the letter case of a time zone name', () => {
    given()
      .when(createWorkspace({ name: 'Clinic', timeZone: 'europe/paris' }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.have.property('timeZone', 'Europe/Paris'));
    given()
      .when(createWorkspace({ name: 'Clinic', timeZone: 'utc' }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.have.property('timeZone', 'UTC'));
  });

  for (const timeZone of ['Mars/Olympus', 'Europe/Pariss', '', '+01:00', 'GMT+25', 42, null]) {
    it(`rejects the time zone ${JSON.stringify(timeZone)} with 400 naming timeZone`, () => {
      given()
        .when(createWorkspace({ name: 'Clinic', timeZone }, ids))
        .thenError({ status: 400, paths: ['timeZone'] });
    });
  }

  it('rejects a blank or too long name, and unknown properties, all at once', () => {
    given()
      .when(createWorkspace({ name: ' ', id: newId(), plan: 'gold' }, ids))
      .thenError({ status: 400, paths: ['name', 'id', 'plan'] });
    given()
      .when(createWorkspace({ name: 'w'.repeat(201) }, ids))
      .thenError({ status: 400, paths: ['name'] });
  });

  it('accepts an Arabic name', () => {
    given()
      .when(createWorkspace({ name: 'عيادة الأمل' }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.have.property('name', 'عيادة الأمل'));
  });
});

describe('deciding RegisterClient', () => {
  const workspaceId = newId();
  const otherWorkspace = newId();
  const clientId = newId();
  const ids = { workspaceId, id: clientId };
  const history = [workspaceCreated(workspaceId), workspaceCreated(otherWorkspace)];

  it('decides ClientRegistered with null optionals when email and phone are absent', () => {
    const metadata = commandMetadata(workspaceId);
    given(...history)
      .when(registerClient({ name: ' John Doe ' }, { ...ids, metadata }))
      .then([
        {
          type: 'ClientRegistered',
          data: { clientId, workspaceId, name: 'John Doe', email: null, phone: null },
          metadata: { ...metadata, schemaVersion: clientRegisteredVersion },
        },
      ]);
  });

  it('keeps email and phone, and treats null as absent', () => {
    given(...history)
      .when(registerClient({ name: 'Jane', email: 'jane@example.com', phone: '+966 (11) 555-0101' }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.include({ email: 'jane@example.com', phone: '+966 (11) 555-0101' }));
    given(...history)
      .when(registerClient({ name: 'Jane', email: null, phone: null }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.include({ email: null, phone: null }));
  });

  it('rejects an invalid email and phone and unknown properties at once with 400', () => {
    given(...history)
      .when(registerClient({ name: 'Jane', email: 'not-an-email', phone: 'call me', workspaceId: otherWorkspace }, ids))
      .thenError({ status: 400, paths: ['email', 'phone', 'workspaceId'] });
  });

  it('rejects a missing name with 400', () => {
    given(...history)
      .when(registerClient({ email: 'a@b.co' }, ids))
      .thenError({ status: 400, paths: ['name'] });
  });

  it('rejects with 404 a workspace that does not exist', () => {
    given(workspaceCreated(otherWorkspace))
      .when(registerClient({ name: 'Jane' }, ids))
      .thenError({ status: 404, paths: ['workspaceId'] });
  });

  it('registers a client in one workspace without seeing another workspace', () => {
    given(...history, clientRegistered(otherWorkspace, clientId))
      .when(registerClient({ name: 'Jane' }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.include({ workspaceId, clientId }));
  });
});

describe('deciding DefineService', () => {
  const workspaceId = newId();
  const serviceId = newId();
  const ids = { workspaceId, id: serviceId };
  const history = [workspaceCreated(workspaceId)];

  it('decides ServiceDefined with the trimmed name and scope, and durationMinutes null when absent', () => {
    const metadata = commandMetadata(workspaceId, { requestId: 'req-svc' });
    given(...history)
      .when(defineService({ name: ' استشارة طبية ', scope: ' sessions ' }, { ...ids, metadata }))
      .then([
        {
          type: 'ServiceDefined',
          data: { serviceId, workspaceId, name: 'استشارة طبية', scope: 'sessions', durationMinutes: null },
          metadata: { ...metadata, schemaVersion: serviceDefinedVersion },
        },
      ]);
  });

  it('accepts durationMinutes 0, 1440 and null, and any non-empty scope', () => {
    for (const [durationMinutes, scope] of [
      [0, 'products'],
      [1440, 'sessions'],
      [null, 'gift-cards'],
    ] as const) {
      given(...history)
        .when(defineService({ name: 'S', scope, durationMinutes }, ids))
        .thenEvents((events) => expect(events[0]!.data).to.include({ durationMinutes, scope }));
    }
  });

  for (const durationMinutes of [-1, 1441, 30.5, '30']) {
    it(`rejects durationMinutes ${JSON.stringify(durationMinutes)} with 400`, () => {
      given(...history)
        .when(defineService({ name: 'S', scope: 'sessions', durationMinutes }, ids))
        .thenError({ status: 400, paths: ['durationMinutes'] });
    });
  }

  it('rejects a missing, blank or non-string scope with 400', () => {
    for (const scope of [undefined, '', '   ', 7, 's'.repeat(51)]) {
      given(...history)
        .when(defineService({ name: 'S', scope }, ids))
        .thenError({ status: 400, paths: ['scope'] });
    }
  });

  it('lists name, scope and unknown properties at once', () => {
    given(...history)
      .when(defineService({ price: 10 }, ids))
      .thenError({ status: 400, paths: ['name', 'scope', 'price'] });
  });

  it('rejects with 404 a workspace that does not exist', () => {
    given()
      .when(defineService({ name: 'S', scope: 'sessions' }, ids))
      .thenError({ status: 404, paths: ['workspaceId'] });
  });
});

describe('deciding AddStaffMember', () => {
  const workspaceId = newId();
  const staffId = newId();
  const ids = { workspaceId, id: staffId };
  const history = [workspaceCreated(workspaceId)];

  it('decides StaffMemberAdded with email null when absent', () => {
    const metadata = commandMetadata(workspaceId);
    given(...history)
      .when(addStaffMember({ name: 'Dr. Smith' }, { ...ids, metadata }))
      .then([
        {
          type: 'StaffMemberAdded',
          data: { staffId, workspaceId, name: 'Dr. Smith', email: null },
          metadata: { ...metadata, schemaVersion: staffMemberAddedVersion },
        },
      ]);
  });

  it('keeps the email', () => {
    given(...history)
      .when(addStaffMember({ name: 'د. سارة', email: 'sara@example.com' }, ids))
      .thenEvents((events) => expect(events[0]!.data).to.include({ name: 'د. سارة', email: 'sara@example.com' }));
  });

  it('rejects an invalid email, a blank name and unknown properties at once with 400', () => {
    given(...history)
      .when(addStaffMember({ name: '', email: 'x@', role: 'admin' }, ids))
      .thenError({ status: 400, paths: ['name', 'email', 'role'] });
  });

  it('rejects with 404 a workspace that does not exist', () => {
    given()
      .when(addStaffMember({ name: 'Dr. Smith' }, ids))
      .thenError({ status: 404, paths: ['workspaceId'] });
  });
});

import { expect } from 'chai';
import { parseChangeClient } from '../../src/commands/changeClient.js';
import { parseChangeService } from '../../src/commands/changeService.js';
import { parseChangeStaffMember } from '../../src/commands/changeStaffMember.js';
import { parseChangeWorkspace } from '../../src/commands/changeWorkspace.js';
import { clientDecider } from '../../src/commands/client.js';
import { serviceDecider } from '../../src/commands/service.js';
import { staffDecider } from '../../src/commands/staffMember.js';
import { workspaceDecider } from '../../src/commands/workspace.js';
import { initialCatalogState } from '../../src/commands/catalogState.js';
import type { EventMetadata } from '../../src/events/envelope.js';
import { clientRegistered, commandMetadata, newId, serviceDefined, staffMemberAdded, workspaceCreated } from './scenario.js';
import { deciderSpec } from '../support/specification.js';

const catalog = initialCatalogState();
const change = <P>(id: string, workspaceId: string, patch: P, metadata: EventMetadata = commandMetadata(workspaceId)) => ({
  type: 'ChangeCatalogEntry' as const,
  data: { id, workspaceId, patch },
  metadata,
});
const archive = (id: string, workspaceId: string, archived = true) => ({
  type: archived ? ('ArchiveCatalogEntry' as const) : ('UnarchiveCatalogEntry' as const),
  data: { id, workspaceId },
  metadata: commandMetadata(workspaceId),
});
const v1 = (workspaceId: string) => ({ ...commandMetadata(workspaceId), schemaVersion: 1 });

describe('changing a client', () => {
  const workspaceId = newId();
  const clientId = newId();
  const registered = {
    ...clientRegistered(workspaceId, clientId, 'John Doe'),
    data: { clientId, workspaceId, name: 'John Doe', email: 'john@example.com', phone: null },
  };
  const spec = deciderSpec(clientDecider);

  it('decides ClientRenamed with the old and the new name', () => {
    spec
      .given(registered)
      .when(change(clientId, workspaceId, parseChangeClient({ name: ' يوحنا ' })), catalog)
      .then([{ type: 'ClientRenamed', data: { clientId, workspaceId, from: 'John Doe', to: 'يوحنا' }, metadata: v1(workspaceId) }]);
  });

  it('decides one ClientContactChanged with only the contact fields that changed', () => {
    spec
      .given(registered)
      .when(change(clientId, workspaceId, parseChangeClient({ email: 'john@example.com', phone: '+966 11 555' })), catalog)
      .then([
        {
          type: 'ClientContactChanged',
          data: { clientId, workspaceId, phone: { from: null, to: '+966 11 555' } },
          metadata: v1(workspaceId),
        },
      ]);
    spec
      .given(registered)
      .when(change(clientId, workspaceId, parseChangeClient({ email: null })), catalog)
      .then([
        {
          type: 'ClientContactChanged',
          data: { clientId, workspaceId, email: { from: 'john@example.com', to: null } },
          metadata: v1(workspaceId),
        },
      ]);
  });

  it('decides a rename and a contact change as two events', () => {
    spec
      .given(registered)
      .when(change(clientId, workspaceId, parseChangeClient({ name: 'Jane', email: 'jane@example.com' })), catalog)
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['ClientRenamed', 'ClientContactChanged']));
  });

  it('decides nothing for a patch that changes nothing (or names nothing)', () => {
    spec
      .given(registered)
      .when(change(clientId, workspaceId, parseChangeClient({ name: 'John Doe', email: 'john@example.com' })), catalog)
      .thenNothing();
    spec
      .given(registered)
      .when(change(clientId, workspaceId, parseChangeClient({})), catalog)
      .thenNothing();
  });

  it('applies renames one after another', () => {
    spec
      .given(registered, {
        type: 'ClientRenamed',
        data: { clientId, workspaceId, from: 'John Doe', to: 'Jane' },
        metadata: v1(workspaceId),
      })
      .when(change(clientId, workspaceId, parseChangeClient({ name: 'Jane' })), catalog)
      .thenNothing();
  });

  it('rejects an invalid patch with 400 listing every field', () => {
    expect(() => parseChangeClient({ name: ' ', email: 'nope', phone: 'call me', clientId: 'x' }))
      .to.throw()
      .with.property('status', 400);
    try {
      parseChangeClient({ name: ' ', email: 'nope', phone: 'call me', clientId: 'x' });
    } catch (error) {
      expect((error as { errors: { path: string }[] }).errors.map((e) => e.path).sort()).to.deep.equal([
        'clientId',
        'email',
        'name',
        'phone',
      ]);
    }
  });

  it('answers 404 for a client of another workspace, and for one that does not exist', () => {
    spec
      .given(registered)
      .when(change(clientId, newId(), { name: 'X' }), catalog)
      .thenError({ status: 404, detailIncludes: [clientId] });
    spec
      .given()
      .when(change(clientId, workspaceId, { name: 'X' }), catalog)
      .thenError({ status: 404 });
  });

  it('archives, unarchives, and decides nothing when already in that state', () => {
    spec
      .given(registered)
      .when(archive(clientId, workspaceId), catalog)
      .then([{ type: 'ClientArchived', data: { clientId, workspaceId }, metadata: v1(workspaceId) }]);
    const archived = { type: 'ClientArchived' as const, data: { clientId, workspaceId }, metadata: v1(workspaceId) };
    spec.given(registered, archived).when(archive(clientId, workspaceId), catalog).thenNothing();
    spec
      .given(registered, archived)
      .when(archive(clientId, workspaceId, false), catalog)
      .then([{ type: 'ClientUnarchived', data: { clientId, workspaceId }, metadata: v1(workspaceId) }]);
    spec
      .given(registered)
      .when(archive(clientId, workspaceId, false), catalog)
      .thenNothing();
  });

  it('lets an archived client be renamed', () => {
    const archived = { type: 'ClientArchived' as const, data: { clientId, workspaceId }, metadata: v1(workspaceId) };
    spec
      .given(registered, archived)
      .when(change(clientId, workspaceId, { name: 'Jane' }), catalog)
      .thenEvents((events) => expect(events[0]!.type).to.equal('ClientRenamed'));
  });

  it('refuses a second registration of the same client with 409', () => {
    spec
      .given(registered)
      .when(
        {
          type: 'RegisterClient',
          data: { clientId, workspaceId, name: 'X', email: null, phone: null },
          metadata: commandMetadata(workspaceId),
        },
        catalog,
      )
      .thenError({ status: 409 });
  });
});

describe('changing a service', () => {
  const workspaceId = newId();
  const serviceId = newId();
  const defined = serviceDefined(workspaceId, serviceId, 30, { name: 'استشارة' });
  const spec = deciderSpec(serviceDecider);

  it('decides ServiceRenamed and ServiceDurationChanged with old and new values', () => {
    spec
      .given(defined)
      .when(change(serviceId, workspaceId, parseChangeService({ name: 'استشارة طبية', durationMinutes: 45 })), catalog)
      .then([
        { type: 'ServiceRenamed', data: { serviceId, workspaceId, from: 'استشارة', to: 'استشارة طبية' }, metadata: v1(workspaceId) },
        { type: 'ServiceDurationChanged', data: { serviceId, workspaceId, from: 30, to: 45 }, metadata: v1(workspaceId) },
      ]);
    spec
      .given(defined)
      .when(change(serviceId, workspaceId, parseChangeService({ durationMinutes: null })), catalog)
      .then([{ type: 'ServiceDurationChanged', data: { serviceId, workspaceId, from: 30, to: null }, metadata: v1(workspaceId) }]);
  });

  it('decides nothing when the duration is the same', () => {
    spec
      .given(defined)
      .when(change(serviceId, workspaceId, parseChangeService({ durationMinutes: 30 })), catalog)
      .thenNothing();
  });

  it('rejects a scope with 400: the scope is fixed once defined, listed with the other problems', () => {
    for (const body of [{ scope: 'products' }, { scope: 'sessions', durationMinutes: -1 }]) {
      try {
        parseChangeService(body);
        expect.fail('expected a 400');
      } catch (error) {
        const e = error as { status: number; errors: { path: string; message: string }[] };
        expect(e.status).to.equal(400);
        expect(e.errors[0]).to.deep.equal({ path: 'scope', message: 'is fixed once the service is defined' });
        expect(e.errors.map((x) => x.path)).to.deep.equal('durationMinutes' in body ? ['scope', 'durationMinutes'] : ['scope']);
      }
    }
  });

  it('archives and unarchives', () => {
    spec
      .given(defined)
      .when(archive(serviceId, workspaceId), catalog)
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['ServiceArchived']));
    spec
      .given(defined, { type: 'ServiceArchived', data: { serviceId, workspaceId }, metadata: v1(workspaceId) })
      .when(archive(serviceId, workspaceId, false), catalog)
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['ServiceUnarchived']));
  });
});

describe('changing a staff member', () => {
  const workspaceId = newId();
  const staffId = newId();
  const added = staffMemberAdded(workspaceId, staffId, 'Dr. Smith');
  const spec = deciderSpec(staffDecider);

  it('decides StaffMemberRenamed and StaffMemberContactChanged', () => {
    spec
      .given(added)
      .when(change(staffId, workspaceId, parseChangeStaffMember({ name: 'د. سارة', email: 'sara@example.com' })), catalog)
      .then([
        { type: 'StaffMemberRenamed', data: { staffId, workspaceId, from: 'Dr. Smith', to: 'د. سارة' }, metadata: v1(workspaceId) },
        {
          type: 'StaffMemberContactChanged',
          data: { staffId, workspaceId, email: { from: null, to: 'sara@example.com' } },
          metadata: v1(workspaceId),
        },
      ]);
  });

  it('rejects a phone (staff have none) with 400', () => {
    expect(() => parseChangeStaffMember({ phone: '123' }))
      .to.throw()
      .with.property('status', 400);
  });

  it('archives once', () => {
    spec
      .given(added)
      .when(archive(staffId, workspaceId), catalog)
      .thenEvents((events) => expect(events.map((e) => e.type)).to.deep.equal(['StaffMemberArchived']));
    spec
      .given(added, { type: 'StaffMemberArchived', data: { staffId, workspaceId }, metadata: v1(workspaceId) })
      .when(archive(staffId, workspaceId), catalog)
      .thenNothing();
  });
});

describe('changing a workspace', () => {
  const workspaceId = newId();
  const created = workspaceCreated(workspaceId, 'Europe/Paris');
  const spec = deciderSpec(workspaceDecider);

  it('decides WorkspaceRenamed and WorkspaceTimeZoneChanged with old and new values, the zone spelled as IANA does', () => {
    spec
      .given(created)
      .when(change(workspaceId, workspaceId, parseChangeWorkspace({ name: 'عيادة', timeZone: 'asia/riyadh' })), catalog)
      .then([
        { type: 'WorkspaceRenamed', data: { workspaceId, from: 'Clinic', to: 'عيادة' }, metadata: v1(workspaceId) },
        { type: 'WorkspaceTimeZoneChanged', data: { workspaceId, from: 'Europe/Paris', to: 'Asia/Riyadh' }, metadata: v1(workspaceId) },
      ]);
  });

  it('decides nothing for the same zone', () => {
    spec
      .given(created)
      .when(change(workspaceId, workspaceId, parseChangeWorkspace({ timeZone: 'Europe/Paris' })), catalog)
      .thenNothing();
  });

  it('rejects an unknown zone and unknown fields with 400', () => {
    for (const body of [{ timeZone: 'Mars/Olympus' }, { timeZone: null }, { plan: 'gold' }]) {
      expect(() => parseChangeWorkspace(body))
        .to.throw()
        .with.property('status', 400);
    }
  });
});

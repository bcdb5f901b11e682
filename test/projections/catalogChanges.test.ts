import { expect } from 'chai';
import type { DomainEvent, SessionCreated } from '../../src/events/index.js';
import { clientView } from '../../src/projections/clientView.js';
import { nameKeys, searchKey, sortKey } from '../../src/projections/nameKeys.js';
import { serviceView } from '../../src/projections/serviceView.js';
import { sessionView } from '../../src/projections/sessionView.js';
import { staffView } from '../../src/projections/staffView.js';
import { workspaceView } from '../../src/projections/workspaceView.js';
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
import { aggregateStream, projectionSpec } from '../support/specification.js';

const at = (minute: number) => `2024-02-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const meta = (workspaceId: string, minute: number) => ({ ...commandMetadata(workspaceId, { occurredAt: at(minute) }), schemaVersion: 1 });

describe('name keys', () => {
  it('fold case, accents, Arabic harakat, hamza and madda on alef, tatweel, alef maksura and runs of spaces', () => {
    expect(searchKey('  Élodie   MÜLLER ')).to.equal('elodie muller');
    expect(searchKey('مُحَمَّد')).to.equal('محمد');
    expect(searchKey('أحمد')).to.equal(searchKey('احمد'));
    expect(searchKey('إيمان')).to.equal('ايمان');
    expect(searchKey('آمنة')).to.equal('امنة');
    expect(searchKey('جـــميل')).to.equal('جميل');
    expect(searchKey('مصطفى')).to.equal('مصطفي');
    expect(searchKey('ﬁle')).to.equal('file');
  });

  it('sort by base letters, then the exact name, a name before its extensions', () => {
    const names = ['Zoë', 'émile', 'Emile', 'ahmed', 'Ábel', 'Ab', 'بكر', 'أحمد', 'ثامر', 'احمد'];
    const sorted = [...names].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
    expect(sorted).to.deep.equal(['Ab', 'Ábel', 'ahmed', 'Emile', 'émile', 'Zoë', 'أحمد', 'احمد', 'بكر', 'ثامر']);
    expect(nameKeys('Ab')).to.deep.equal({ nameSearch: 'ab', nameSort: 'ab\u0001Ab' });
  });
});

describe('catalog views after changes', () => {
  const workspaceId = newId();

  it('a client: renamed (with new name keys), contact changed, archived, unarchived; version and updatedAt follow', () => {
    const clientId = newId();
    const spec = projectionSpec(clientView, aggregateStream).given(
      clientRegistered(workspaceId, clientId, 'John'),
      { type: 'ClientRenamed', data: { clientId, workspaceId, from: 'John', to: 'Jöhn Døe' }, metadata: meta(workspaceId, 1) },
      {
        type: 'ClientContactChanged',
        data: { clientId, workspaceId, phone: { from: null, to: '+33 1 23' } },
        metadata: meta(workspaceId, 2),
      },
      { type: 'ClientArchived', data: { clientId, workspaceId }, metadata: meta(workspaceId, 3) },
    );
    spec.thenDocument(clientId, (doc) => {
      expect(doc).to.include({
        name: 'Jöhn Døe',
        nameSearch: 'john døe',
        email: null,
        phone: '+33 1 23',
        archived: true,
        version: 4,
        updatedAt: at(3),
      });
    });
    projectionSpec(clientView, aggregateStream)
      .given(
        clientRegistered(workspaceId, clientId, 'John'),
        { type: 'ClientArchived', data: { clientId, workspaceId }, metadata: meta(workspaceId, 3) },
        { type: 'ClientUnarchived', data: { clientId, workspaceId }, metadata: meta(workspaceId, 4) },
      )
      .thenDocument(clientId, (doc) => expect(doc).to.include({ archived: false, version: 3 }));
  });

  it('a service: renamed, its duration changed, archived', () => {
    const serviceId = newId();
    projectionSpec(serviceView, aggregateStream)
      .given(
        serviceDefined(workspaceId, serviceId, 30, { name: 'Massage' }),
        { type: 'ServiceRenamed', data: { serviceId, workspaceId, from: 'Massage', to: 'تدليك' }, metadata: meta(workspaceId, 1) },
        { type: 'ServiceDurationChanged', data: { serviceId, workspaceId, from: 30, to: 50 }, metadata: meta(workspaceId, 2) },
        { type: 'ServiceArchived', data: { serviceId, workspaceId }, metadata: meta(workspaceId, 3) },
      )
      .thenDocument(serviceId, (doc) =>
        expect(doc).to.include({ name: 'تدليك', nameSearch: 'تدليك', durationMinutes: 50, scope: 'sessions', archived: true, version: 4 }),
      );
  });

  it('a staff member: renamed, email changed', () => {
    const staffId = newId();
    projectionSpec(staffView, aggregateStream)
      .given(
        staffMemberAdded(workspaceId, staffId, 'Dr. Smith'),
        { type: 'StaffMemberRenamed', data: { staffId, workspaceId, from: 'Dr. Smith', to: 'د. سارة' }, metadata: meta(workspaceId, 1) },
        {
          type: 'StaffMemberContactChanged',
          data: { staffId, workspaceId, email: { from: null, to: 's@example.com' } },
          metadata: meta(workspaceId, 2),
        },
      )
      .thenDocument(staffId, (doc) => expect(doc).to.include({ name: 'د. سارة', email: 's@example.com', version: 3, updatedAt: at(2) }));
  });

  it('a workspace: renamed, its zone changed', () => {
    const id = newId();
    projectionSpec(workspaceView, aggregateStream)
      .given(
        workspaceCreated(id, 'UTC'),
        { type: 'WorkspaceRenamed', data: { workspaceId: id, from: 'Clinic', to: 'عيادة' }, metadata: meta(id, 1) },
        { type: 'WorkspaceTimeZoneChanged', data: { workspaceId: id, from: 'UTC', to: 'Asia/Riyadh' }, metadata: meta(id, 2) },
      )
      .thenDocument(id, (doc) => expect(doc).to.include({ name: 'عيادة', timeZone: 'Asia/Riyadh', version: 3, updatedAt: at(2) }));
  });
});

describe('session view after catalog renames', () => {
  const workspaceId = newId();
  const [clientId, otherClient, serviceA, serviceB, staffId] = [newId(), newId(), newId(), newId(), newId()];
  const catalog: DomainEvent[] = [
    workspaceCreated(workspaceId),
    clientRegistered(workspaceId, clientId, 'John Doe'),
    clientRegistered(workspaceId, otherClient, 'Other'),
    serviceDefined(workspaceId, serviceA, 30, { name: 'استشارة' }),
    serviceDefined(workspaceId, serviceB, 60, { name: 'Check-up' }),
    staffMemberAdded(workspaceId, staffId, 'Dr. Smith'),
  ];
  const book = (id: string, body: Record<string, unknown>): SessionCreated => {
    let created: SessionCreated;
    given(...catalog)
      .when(createSession({ name: 'S', date: '2024-01-20', startTime: '10:00', ...body }, { workspaceId, id }))
      .thenSession((e) => (created = e));
    return created!;
  };
  const [first, second, third] = [newId(), newId(), newId()];
  const sessions = [
    book(first, { clientId, serviceIds: [serviceA, serviceB], staffId }),
    book(second, { clientId, serviceIds: [serviceB, serviceA] }),
    book(third, { clientId: otherClient, serviceIds: [serviceB] }),
  ];

  it('shows the new names on every session that shows the old ones, and leaves the others, their versions and updatedAt alone', () => {
    const spec = projectionSpec(sessionView).given(
      ...sessions,
      {
        type: 'ServiceRenamed',
        data: { serviceId: serviceA, workspaceId, from: 'استشارة', to: 'استشارة طبية' },
        metadata: meta(workspaceId, 1),
      },
      { type: 'ClientRenamed', data: { clientId, workspaceId, from: 'John Doe', to: 'يوحنا' }, metadata: meta(workspaceId, 2) },
      { type: 'StaffMemberRenamed', data: { staffId, workspaceId, from: 'Dr. Smith', to: 'Dr. Sara' }, metadata: meta(workspaceId, 3) },
    );
    spec.thenDocument(first, (doc) => {
      expect(doc).to.include({ clientName: 'يوحنا', staffName: 'Dr. Sara', version: 1, updatedAt: sessions[0]!.metadata.occurredAt });
      expect(doc.serviceNames).to.deep.equal(['استشارة طبية', 'Check-up']);
    });
    spec.thenDocument(second, (doc) => {
      expect(doc).to.include({ clientName: 'يوحنا', staffName: null });
      expect(doc.serviceNames).to.deep.equal(['Check-up', 'استشارة طبية']);
    });
    spec.thenDocument(third, (doc) => {
      expect(doc.clientName).to.equal('Other');
      expect(doc.serviceNames).to.deep.equal(['Check-up']);
    });
  });

  it('ignores a duration change and an archive (sessions keep what was booked)', () => {
    let booked: unknown;
    projectionSpec(sessionView)
      .given(sessions[0]!)
      .thenDocument(first, (doc) => (booked = doc));
    projectionSpec(sessionView)
      .given(
        sessions[0]!,
        { type: 'ServiceDurationChanged', data: { serviceId: serviceA, workspaceId, from: 30, to: 90 }, metadata: meta(workspaceId, 1) },
        { type: 'ServiceArchived', data: { serviceId: serviceA, workspaceId }, metadata: meta(workspaceId, 2) },
      )
      .thenDocument(first, (doc) => expect(doc).to.deep.equal(booked));
  });

  it('does not reach sessions of another workspace', () => {
    const elsewhere = newId();
    projectionSpec(sessionView)
      .given(sessions[0]!, {
        type: 'ClientRenamed',
        data: { clientId, workspaceId: elsewhere, from: 'John Doe', to: 'X' },
        metadata: meta(elsewhere, 1),
      })
      .thenDocument(first, (doc) => expect(doc.clientName).to.equal('John Doe'));
  });
});

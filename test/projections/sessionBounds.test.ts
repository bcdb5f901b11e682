/**
 * Projection specifications: the bounds the session view keeps per workspace beside its sessions
 * (the longest a session has lasted), which the list query starts its range from.
 */
import { expect } from 'chai';
import type { EventMetadata } from '../../src/events/envelope.js';
import type { SessionCreated, SessionEvent, SessionTimes } from '../../src/events/session.js';
import { upcastFactsFrom, upcasters } from '../../src/events/upcasters.js';
import { evolveStored } from '../../src/projections/projection.js';
import { sessionBoundsId, sessionView, type SessionBounds } from '../../src/projections/sessionView.js';
import { clientRegistered, commandMetadata, createSession, given, newId, serviceDefined, workspaceCreated } from '../commands/scenario.js';
import { projectionSpec } from '../support/specification.js';
import { loadFixture } from '../rebuild/support.js';

describe('session view: the bounds of a workspace', () => {
  const workspaceId = newId();
  const clientId = newId();
  const serviceId = newId();
  const sessionId = newId();
  const catalog = [workspaceCreated(workspaceId), clientRegistered(workspaceId, clientId), serviceDefined(workspaceId, serviceId, 30)];
  const boundsId = sessionBoundsId(workspaceId);
  const bounds = (longestMinutes: number, sinceCreation = true): SessionBounds => ({
    id: boundsId,
    workspaceId,
    longestMinutes,
    sinceCreation,
  });

  const createdFor = (id: string, durationMinutes: number, ws = workspaceId, cid = clientId): SessionCreated => {
    let created: SessionCreated | undefined;
    given(workspaceCreated(ws), clientRegistered(ws, cid), serviceDefined(ws, serviceId, 30))
      .when(
        createSession(
          {
            name: 'Consultation',
            clientId: cid,
            serviceIds: [serviceId],
            date: '2024-01-20T10:00:00Z',
            startTime: '10:00',
            durationMinutes,
          },
          { workspaceId: ws, id },
        ),
      )
      .thenSession((event) => {
        created = event;
      });
    return created!;
  };
  const at = (occurredAt: string): EventMetadata => ({ ...commandMetadata(workspaceId, { occurredAt }), schemaVersion: 1 });
  const slot = (startAt: string, minutes: number): SessionTimes => ({
    timeZone: 'UTC',
    date: `${startAt.slice(0, 10)}T00:00:00.000Z`,
    startTime: startAt.slice(11, 16),
    endTime: new Date(Date.parse(startAt) + minutes * 60_000).toISOString().slice(11, 16),
    durationMinutes: minutes,
    startAt,
    endAt: new Date(Date.parse(startAt) + minutes * 60_000).toISOString(),
  });
  const rescheduled = (from: SessionTimes, to: SessionTimes): SessionEvent => ({
    type: 'SessionRescheduled',
    data: { sessionId, workspaceId, from, to, durationSource: 'request', disambiguation: null, reason: null },
    metadata: at('2024-01-16T09:00:00.000Z'),
  });
  const view = () => projectionSpec(sessionView);

  it('a new workspace starts with bounds of zero minutes, counting every session from there', () => {
    view()
      .given(...catalog)
      .then(boundsId, bounds(0));
  });

  it('a SessionCreated raises them to how long the session lasts', () => {
    view()
      .given(...catalog, createdFor(sessionId, 90))
      .then(boundsId, bounds(90));
  });

  it('keep the longest of several sessions, whatever their order', () => {
    view()
      .given(...catalog, createdFor(newId(), 45), createdFor(newId(), 600), createdFor(newId(), 120))
      .then(boundsId, bounds(600));
  });

  it('a reschedule that lengthens the session raises them', () => {
    view()
      .given(
        ...catalog,
        createdFor(sessionId, 60),
        rescheduled(slot('2024-01-20T10:00:00.000Z', 60), slot('2024-01-21T08:00:00.000Z', 1_440)),
      )
      .then(boundsId, bounds(1_440));
  });

  it('a reschedule that shortens the session, or moves it, leaves them where they were', () => {
    view()
      .given(
        ...catalog,
        createdFor(sessionId, 300),
        rescheduled(slot('2024-01-20T10:00:00.000Z', 300), slot('2024-01-20T10:00:00.000Z', 30)),
        rescheduled(slot('2024-01-20T10:00:00.000Z', 30), slot('2024-03-02T23:50:00.000Z', 30)),
      )
      .then(boundsId, bounds(300));
  });

  it('a cancellation leaves them where they were', () => {
    view()
      .given(...catalog, createdFor(sessionId, 240), {
        type: 'SessionCancelled',
        data: { sessionId, workspaceId, from: 'scheduled', reason: 'other', note: null, cancelledBy: 'practice' },
        metadata: at('2024-01-18T12:00:00.000Z'),
      })
      .then(boundsId, bounds(240));
  });

  it('count the instants (endAt − startAt), not durationMinutes', () => {
    view()
      .given(
        ...catalog,
        rescheduled(slot('2024-01-20T10:00:00.000Z', 60), { ...slot('2024-03-31T00:30:00.000Z', 121), durationMinutes: 120 }),
      )
      .then(boundsId, bounds(121));
  });

  it('are per workspace: another workspace’s sessions do not move them', () => {
    const other = newId();
    view()
      .given(...catalog, createdFor(sessionId, 30), createdFor(newId(), 900, other, newId()))
      .then(boundsId, bounds(30));
  });

  it('begun by a session event rather than the workspace’s creation, they say that earlier sessions are not counted', () => {
    view().given(createdFor(sessionId, 50)).then(boundsId, bounds(50, false));
  });

  it('an event that does not raise them gives back the very same document, so the store writes nothing', () => {
    const stored = { document: bounds(500), position: 4n };
    const shorter = { ...createdFor(newId(), 30), streamId: 's', revision: 0n, position: 5n };
    expect(evolveStored(sessionView, boundsId, stored, shorter)).to.equal(null);
    const longer = { ...createdFor(newId(), 600), streamId: 's', revision: 0n, position: 6n };
    expect(evolveStored(sessionView, boundsId, stored, longer)).to.deep.equal({ document: bounds(600), position: 6n });
  });

  it('count a SessionCreated of schemaVersion 1 by the instants its upcast gives it', () => {
    const fixture = loadFixture('session-created-v1.json');
    const events = fixture.events.map((event, i) => ({ ...event, revision: 0n, position: BigInt(i + 1) }));
    const facts = upcastFactsFrom(new Map([[fixture.workspaceId, 'Asia/Riyadh']]));
    const legacyBounds = sessionBoundsId(fixture.workspaceId);
    let document: SessionBounds | null = null;
    for (const event of events.map((e) => upcasters.upcast(e, facts))) {
      if (sessionView.handles.includes(event.type)) document = sessionView.evolve(document, event, legacyBounds) as SessionBounds | null;
    }
    expect(document).to.deep.equal({ id: legacyBounds, workspaceId: fixture.workspaceId, longestMinutes: 90, sinceCreation: true });
  });
});

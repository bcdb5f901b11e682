/** Specifications of the no-double-booking rule (src/commands/staffTime.ts), over staff-day streams given as events. */
import { expect } from 'chai';
import { activeClaims, daysOf, decideStaffTime, SlotConflictError, type TimeClaim } from '../../src/commands/staffTime.js';
import type { StoredEvent } from '../../src/events/envelope.js';
import { staffDayStream } from '../../src/events/streams.js';
import { expectAppError } from '../support/specification.js';
import { commandMetadata, newId } from './scenario.js';

const workspaceId = newId();
const staffId = newId();
const metadata = commandMetadata(workspaceId);
const stream = (day: string) => staffDayStream(workspaceId, staffId, day);

const claimed = (claim: TimeClaim, day: string, revision = 0n): StoredEvent => ({
  type: 'StaffTimeClaimed',
  data: { workspaceId, staffId: claim.staffId, day, sessionId: claim.sessionId, startAt: claim.startAt, endAt: claim.endAt, overlap: null },
  metadata: { ...metadata, schemaVersion: 1 },
  streamId: stream(day),
  revision,
  position: revision + 1n,
});

const claim = (startAt: string, endAt: string, sessionId = newId()): TimeClaim => ({ sessionId, staffId, startAt, endAt });

const decide = (
  read: Record<string, StoredEvent[]>,
  before: TimeClaim | null,
  after: TimeClaim | null,
  allowOverlap: string | null = null,
) => decideStaffTime({ workspaceId, before, after, read: new Map(Object.entries(read)), allowOverlap, because: 'rescheduled', metadata });

describe('staff time (no double bookings)', () => {
  const nine = claim('2024-05-01T09:00:00.000Z', '2024-05-01T10:00:00.000Z');
  const day = '2024-05-01';

  it('claims the day a new session touches when the staff member is free', () => {
    const decision = decide({}, null, nine);
    expect(decision.overlapped).to.deep.equal([]);
    expect(decision.writes.map((w) => [w.streamId, w.events.map((e) => e.type)])).to.deep.equal([[stream(day), ['StaffTimeClaimed']]]);
    expect(decision.writes[0]!.events[0]!.data).to.deep.equal({
      workspaceId,
      staffId,
      day,
      sessionId: nine.sessionId,
      startAt: nine.startAt,
      endAt: nine.endAt,
      overlap: null,
    });
  });

  it('refuses an overlapping session with 409 slot-conflict listing the session it overlaps, ids and times only', () => {
    const overlapping = claim('2024-05-01T09:30:00.000Z', '2024-05-01T10:30:00.000Z');
    let error: unknown;
    try {
      decide({ [stream(day)]: [claimed(nine, day)] }, null, overlapping);
    } catch (e) {
      error = e;
    }
    const problem = expectAppError(error, { status: 409, code: 'slot-conflict' });
    expect(problem).to.be.instanceOf(SlotConflictError);
    expect(problem.problemExtensions()).to.deep.equal({
      conflicts: [{ sessionId: nine.sessionId, startAt: nine.startAt, endAt: nine.endAt }],
    });
  });

  it('accepts back-to-back sessions: one ends when the next starts', () => {
    const ten = claim('2024-05-01T10:00:00.000Z', '2024-05-01T11:00:00.000Z');
    const eight = claim('2024-05-01T08:00:00.000Z', '2024-05-01T09:00:00.000Z');
    expect(decide({ [stream(day)]: [claimed(nine, day)] }, null, ten).writes).to.have.length(1);
    expect(decide({ [stream(day)]: [claimed(nine, day)] }, null, eight).writes).to.have.length(1);
  });

  it('claims both UTC days of a session across midnight, and finds a conflict on the second day', () => {
    const late = claim('2024-05-01T23:30:00.000Z', '2024-05-02T00:30:00.000Z');
    expect(daysOf(late.startAt, late.endAt)).to.deep.equal(['2024-05-01', '2024-05-02']);
    expect(decide({}, null, late).writes.map((w) => w.streamId)).to.deep.equal([stream('2024-05-01'), stream('2024-05-02')]);
    const early = claim('2024-05-02T00:00:00.000Z', '2024-05-02T01:00:00.000Z');
    expect(() =>
      decide({ [stream('2024-05-01')]: [claimed(late, '2024-05-01')], [stream('2024-05-02')]: [claimed(late, '2024-05-02')] }, null, early),
    ).to.throw(SlotConflictError);
  });

  it('ends at midnight without touching the next day', () => {
    expect(daysOf('2024-05-01T23:00:00.000Z', '2024-05-02T00:00:00.000Z')).to.deep.equal(['2024-05-01']);
  });

  it('releases the time of a cancelled session (after: none), which frees it for others', () => {
    const read = { [stream(day)]: [claimed(nine, day)] };
    const decision = decide(read, nine, null);
    expect(decision.writes[0]!.events.map((e) => e.type)).to.deep.equal(['StaffTimeReleased']);
    const after = [...read[stream(day)]!, { ...claimed(nine, day, 1n), ...decision.writes[0]!.events[0]! } as StoredEvent];
    expect(activeClaims(after).size).to.equal(0);
    expect(decide({ [stream(day)]: after }, null, claim(nine.startAt, nine.endAt)).writes).to.have.length(1);
  });

  it('moves a rescheduled session: releases the old time and claims the new, never conflicting with itself', () => {
    const moved = { ...nine, startAt: '2024-05-01T09:30:00.000Z', endAt: '2024-05-01T10:30:00.000Z' };
    const decision = decide({ [stream(day)]: [claimed(nine, day)] }, nine, moved);
    expect(decision.writes.map((w) => w.events.map((e) => e.type))).to.deep.equal([['StaffTimeReleased', 'StaffTimeClaimed']]);
  });

  it('changes nothing when neither the time nor the staff member changed', () => {
    expect(decide({ [stream(day)]: [claimed(nine, day)] }, nine, { ...nine }).writes).to.deep.equal([]);
  });

  it('books over another session on purpose with allowOverlap, recording why and what it overlaps', () => {
    const overlapping = claim('2024-05-01T09:30:00.000Z', '2024-05-01T10:30:00.000Z');
    const decision = decide({ [stream(day)]: [claimed(nine, day)] }, null, overlapping, 'urgent case');
    expect(decision.overlapped.map((c) => c.sessionId)).to.deep.equal([nine.sessionId]);
    expect(decision.writes[0]!.events[0]!.data).to.deep.include({ overlap: { reason: 'urgent case', sessionIds: [nine.sessionId] } });
  });
});

/**
 * The session lifecycle across API instances on one PostgreSQL database: If-Match, slot
 * conflicts and Idempotency-Key hold when the racing requests reach different processes, because
 * each is enforced by the event store's conditional append, never by one process's memory or by
 * the read model. Registered by ./scaleOut.test.ts on its running cluster (starting six more
 * processes would cost more than these tests take). Every test makes its own workspace and checks
 * the replies, the events in PostgreSQL (by the request id each event records) and the read model
 * as every instance serves it.
 */
import { expect } from 'chai';
import { activeClaims } from '../../src/commands/staffTime.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import { sessionBoundsIdPrefix } from '../../src/projections/sessionView.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request, type Reply } from '../support/http.js';
import { expectProblem, sessionBody, sessionsPath } from '../http/helpers.js';
import type { Cluster } from './cluster.js';
import { clientOf } from './processes.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pad = (n: number): string => String(n).padStart(2, '0');

interface Logged {
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  requestId: string;
}

export const lifecycleAcrossInstances = (running: () => Cluster): void => {
  const urls = (): string[] => running().apis.map((p) => p.url);
  const url = (n: number): string => urls()[n % urls().length]!;
  const newCatalog = (name: string): Promise<Catalog> => createCatalog(clientOf(url(0)), name);
  const sessionPath = (c: Catalog, id: string, action = ''): string => `${sessionsPath(c)}/${id}${action}`;
  const requestIdOf = (reply: Reply): string => reply.headers.get('x-request-id')!;

  /** The workspace's session and staff-day events, read straight from the log's table, in log order. */
  const logOf = async (c: Catalog): Promise<Logged[]> =>
    (
      await running().db.query<{ stream_id: string; revision: number; type: string; data: Record<string, unknown>; request_id: string }>(
        `SELECT stream_id, revision::int AS revision, type, data, metadata->>'requestId' AS request_id FROM events
         WHERE workspace_id = $1 AND (stream_id LIKE 'session-%' OR stream_id LIKE 'staffday-%') ORDER BY position`,
        [c.workspaceId],
      )
    ).rows.map((r) => ({ streamId: r.stream_id, revision: r.revision, type: r.type, data: r.data, requestId: r.request_id }));

  const typesBy = (log: readonly Logged[], reply: Reply): string[] =>
    log.filter((e) => e.requestId === requestIdOf(reply)).map((e) => e.type);

  /** What each staff-day stream of the log holds now, by session: the claims the booking rule sees. */
  const claimsIn = (log: readonly Logged[]): Map<string, { startAt: string; endAt: string }> => {
    const claims = new Map<string, { startAt: string; endAt: string }>();
    for (const streamId of new Set(log.filter((e) => e.streamId.startsWith('staffday-')).map((e) => e.streamId))) {
      const stream = log.filter((e) => e.streamId === streamId).map((e) => ({ type: e.type, data: e.data }) as unknown as StoredEvent);
      for (const [sessionId, busy] of activeClaims(stream)) claims.set(sessionId, { startAt: busy.startAt, endAt: busy.endAt });
    }
    return claims;
  };

  /** GET of the session on every instance, after the projector reached the head of the log: one document. */
  const servedEverywhere = async (c: Catalog, id: string): Promise<Record<string, unknown>> => {
    await running().projectedToHead();
    const reads = await Promise.all(urls().map((base) => request(base, 'GET', sessionPath(c, id), { token: c.token })));
    for (const read of reads) {
      expect(read.status, read.text).to.equal(200);
      expect(read.headers.get('etag')).to.equal(`"${String(read.body.session.version)}"`);
      expect(read.body.session).to.deep.equal(reads[0]!.body.session);
    }
    return reads[0]!.body.session;
  };

  it('two PATCHes with the same If-Match sent at once to two instances: one 200, one 412 with the current version, one change in the log, and every instance serves the winner', async () => {
    const c = await newCatalog('Lost update');
    for (let round = 0; round < 3; round += 1) {
      const hour = pad(9 + round);
      const created = await request(url(round + 2), 'POST', sessionsPath(c), {
        token: c.token,
        body: sessionBody(c, { serviceIds: [c.consultationId], date: `2024-06-0${String(3 + round)}`, startTime: `${hour}:00` }),
      });
      expect(created.status, created.text).to.equal(201);
      const id = created.body.session.id as string;
      const replies = await Promise.all(
        [`${hour}:15`, `${hour}:45`].map((startTime, i) =>
          request(url(round + i), 'PATCH', sessionPath(c, id), {
            token: c.token,
            body: { startTime, reason: `from instance ${String((round + i) % 3)}` },
            headers: { 'if-match': '"1"' },
          }),
        ),
      );
      expect(replies.map((r) => r.status).sort(), replies.map((r) => r.text).join('\n')).to.deep.equal([200, 412]);
      const winner = replies.find((r) => r.status === 200)!;
      const loser = replies.find((r) => r.status === 412)!;
      expectProblem(loser, 412);
      expect(loser.body.currentVersion).to.equal(2);
      expect(loser.headers.get('etag')).to.equal('"2"');
      expect(winner.headers.get('etag')).to.equal('"2"');

      const log = (await logOf(c)).filter((e) => e.streamId === `session-${id}` || e.data.sessionId === id);
      expect(log.filter((e) => e.streamId === `session-${id}`).map((e) => e.type)).to.deep.equal(['SessionCreated', 'SessionRescheduled']);
      expect(typesBy(log, winner).sort()).to.deep.equal(['SessionRescheduled', 'StaffTimeClaimed', 'StaffTimeReleased']);
      expect(typesBy(log, loser)).to.deep.equal([]);
      const session = winner.body.session;
      expect(claimsIn(log).get(id)).to.deep.equal({ startAt: session.startAt, endAt: session.endAt });
      expect(await servedEverywhere(c, id)).to.deep.equal(session);
    }
  });

  it('30 concurrent creates of overlapping slots of one staff member over the three instances: one 201, 29 slot conflicts naming it; a cancel on another instance frees the slot for a booking on the third', async () => {
    const c = await newCatalog('Double booking');
    const replies = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        request(url(i), 'POST', sessionsPath(c), {
          token: c.token,
          body: sessionBody(c, {
            name: `contender ${String(i)}`,
            serviceIds: [c.consultationId],
            date: '2024-06-03',
            startTime: `10:${pad(i % 20)}`,
          }),
        }),
      ),
    );
    const won = replies.findIndex((r) => r.status === 201);
    expect(
      replies.filter((r) => r.status === 201),
      replies.map((r) => r.status).join(','),
    ).to.have.length(1);
    const winner = replies[won]!.body.session;
    for (const lost of replies.filter((r) => r.status !== 201)) {
      expectProblem(lost, 409);
      expect(lost.body.type).to.equal('/problems/slot-conflict');
      expect(lost.body.conflicts).to.deep.equal([{ sessionId: winner.id, startAt: winner.startAt, endAt: winner.endAt }]);
    }
    const booked = await logOf(c);
    expect(booked.map((e) => [e.type, e.data.sessionId, e.requestId])).to.deep.equal([
      ['SessionCreated', winner.id, requestIdOf(replies[won]!)],
      ['StaffTimeClaimed', winner.id, requestIdOf(replies[won]!)],
    ]);
    expect(await servedEverywhere(c, winner.id)).to.deep.equal(winner);

    const cancelled = await request(url(won + 1), 'POST', sessionPath(c, winner.id, '/cancel'), {
      token: c.token,
      body: { reason: 'client-request' },
      headers: { 'if-match': '"1"' },
    });
    expect(cancelled.status, cancelled.text).to.equal(200);
    expect(cancelled.body.session.status).to.equal('cancelled');
    const rebooked = await request(url(won + 2), 'POST', sessionsPath(c), {
      token: c.token,
      body: sessionBody(c, { name: 'after the cancel', serviceIds: [c.consultationId], date: '2024-06-03', startTime: winner.startTime }),
    });
    expect(rebooked.status, rebooked.text).to.equal(201);
    const second = rebooked.body.session;
    expect([second.startAt, second.endAt]).to.deep.equal([winner.startAt, winner.endAt]);

    const log = await logOf(c);
    expect(log.slice(2).map((e) => [e.type, e.data.sessionId, e.requestId])).to.deep.equal([
      ['SessionCancelled', winner.id, requestIdOf(cancelled)],
      ['StaffTimeReleased', winner.id, requestIdOf(cancelled)],
      ['SessionCreated', second.id, requestIdOf(rebooked)],
      ['StaffTimeClaimed', second.id, requestIdOf(rebooked)],
    ]);
    expect([...claimsIn(log)]).to.deep.equal([[second.id, { startAt: second.startAt, endAt: second.endAt }]]);
    expect(await servedEverywhere(c, winner.id)).to.deep.equal(cancelled.body.session);
    expect(await servedEverywhere(c, second.id)).to.deep.equal(second);
    const inReadModel = await running().db.query<{ id: string }>(
      `SELECT id FROM rm_sessions WHERE workspace_id = $1 AND id NOT LIKE '${sessionBoundsIdPrefix}%' ORDER BY id`,
      [c.workspaceId],
    );
    expect(inReadModel.rows.map((r) => r.id)).to.deep.equal([winner.id, second.id].sort());
    for (const base of urls()) {
      const busy = await request(
        base,
        'GET',
        `/v1/workspace/${c.workspaceId}/staff/${c.staffId}/busy?from=2024-06-03T00:00:00Z&to=2024-06-04T00:00:00Z`,
        {
          token: c.token,
        },
      );
      expect(busy.status, busy.text).to.equal(200);
      expect(busy.body.busy).to.deep.equal([{ sessionId: second.id, startAt: second.startAt, endAt: second.endAt }]);
    }
  });

  it('one Idempotency-Key and body sent at once to two instances: the same answer, appended once; the key with another body on the third is a 422', async () => {
    const c = await newCatalog('Idempotency');
    for (let round = 0; round < 3; round += 1) {
      const date = `2024-06-0${String(3 + round)}`;
      const createKey = { 'idempotency-key': `create-${String(round)}` };
      const body = sessionBody(c, { serviceIds: [c.consultationId], date, startTime: '10:00' });
      const before = (await logOf(c)).length;
      const created = await Promise.all(
        [round, round + 1].map((n) => request(url(n), 'POST', sessionsPath(c), { token: c.token, body, headers: createKey })),
      );
      expect(
        created.map((r) => r.status),
        created.map((r) => r.text).join('\n'),
      ).to.deep.equal([201, 201]);
      expect(created[1]!.body).to.deep.equal(created[0]!.body);
      expect(created[1]!.headers.get('location')).to.equal(created[0]!.headers.get('location'));
      expect(created.map((r) => String(r.headers.get('idempotent-replayed'))).sort()).to.deep.equal(['null', 'true']);
      const original = created.find((r) => r.headers.get('idempotent-replayed') === null)!;
      const id = original.body.session.id as string;
      const reused = await request(url(round + 2), 'POST', sessionsPath(c), {
        token: c.token,
        body: { ...body, name: 'another body' },
        headers: createKey,
      });
      expectProblem(reused, 422, { paths: ['Idempotency-Key'] });
      let log = (await logOf(c)).slice(before);
      expect(log.map((e) => [e.type, e.data.sessionId, e.requestId])).to.deep.equal([
        ['SessionCreated', id, requestIdOf(original)],
        ['StaffTimeClaimed', id, requestIdOf(original)],
      ]);

      const patchKey = { 'idempotency-key': `move-${String(round)}`, 'if-match': '"1"' };
      const moved = await Promise.all(
        [round + 1, round + 2].map((n) =>
          request(url(n), 'PATCH', sessionPath(c, id), { token: c.token, body: { startTime: '11:00' }, headers: patchKey }),
        ),
      );
      expect(
        moved.map((r) => r.status),
        moved.map((r) => r.text).join('\n'),
      ).to.deep.equal([200, 200]);
      expect(moved[1]!.body).to.deep.equal(moved[0]!.body);
      expect(moved.map((r) => r.headers.get('etag'))).to.deep.equal(['"2"', '"2"']);
      expect(moved.map((r) => String(r.headers.get('idempotent-replayed'))).sort()).to.deep.equal(['null', 'true']);
      const change = moved.find((r) => r.headers.get('idempotent-replayed') === null)!;
      const reusedOnPatch = await request(url(round), 'PATCH', sessionPath(c, id), {
        token: c.token,
        body: { startTime: '12:00' },
        headers: { ...patchKey, 'if-match': '"2"' },
      });
      expectProblem(reusedOnPatch, 422, { paths: ['Idempotency-Key'] });
      log = (await logOf(c)).slice(before);
      expect(log.slice(0, 2).map((e) => e.requestId)).to.deep.equal([requestIdOf(original), requestIdOf(original)]);
      expect(log.slice(2).map((e) => e.requestId)).to.deep.equal(Array<string>(3).fill(requestIdOf(change)));
      expect(
        log
          .slice(2)
          .map((e) => e.type)
          .sort(),
      ).to.deep.equal(['SessionRescheduled', 'StaffTimeClaimed', 'StaffTimeReleased']);
      expect(claimsIn(log).get(id)).to.deep.equal({ startAt: change.body.session.startAt, endAt: change.body.session.endAt });
      expect(await servedEverywhere(c, id)).to.deep.equal(change.body.session);
    }
  });

  it('a mixed load over all instances (creates, reschedules retried on 412, cancels) through kill -9 of the lease holder: every acknowledged change in the log exactly once, the read model equal to the log and to a rebuild', async () => {
    const c = await newCatalog('Mixed load');
    const victim = await running().leaseHolder();
    expect(victim, 'a projector holds the lease').to.not.equal(undefined);
    const creates = 36;
    // Session k has an hour of its own (eight a day, one staff member): creates and moves within
    // that hour never overlap, yet bookings of one day race on its staff-day stream.
    const slotOf = (k: number) => ({ date: `2024-07-${pad(1 + Math.floor(k / 8))}`, hour: 9 + (k % 8) });

    interface Sent {
      kind: 'create' | 'reschedule' | 'cancel';
      sessionId: string | null;
      ifMatch: number | null;
      body: unknown;
      reply: Reply;
    }
    const sent: Sent[] = [];
    const acknowledged: string[] = [];
    const hourOf = new Map<string, number>();
    /** The newest version of each session any reply told of: what a client retries with. */
    const known = new Map<string, number>();
    const load = { creating: true, killedAt: 0 };

    const creator = async (w: number): Promise<void> => {
      for (let k = w; k < creates; k += 3) {
        const { date, hour } = slotOf(k);
        const body = sessionBody(c, { name: `load ${String(k)}`, serviceIds: [c.consultationId], date, startTime: `${pad(hour)}:00` });
        const reply = await request(url(k), 'POST', sessionsPath(c), { token: c.token, body });
        sent.push({
          kind: 'create',
          sessionId: reply.status === 201 ? (reply.body.session.id as string) : null,
          ifMatch: null,
          body,
          reply,
        });
        if (reply.status !== 201) continue;
        const id = reply.body.session.id as string;
        hourOf.set(id, hour);
        known.set(id, 1);
        acknowledged.push(id);
        if (acknowledged.length === 12 && load.killedAt === 0) {
          load.killedAt = performance.now();
          victim!.child.kill('SIGKILL');
        }
      }
    };
    /**
     * A change sent with the newest version known, and sent again with the current one after each
     * 412 (at most 10 times), as a client that still wants it would.
     */
    const change = async (kind: 'reschedule' | 'cancel', id: string, n: number, sending: unknown): Promise<void> => {
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const ifMatch = known.get(id)!;
        const reply = await request(
          url(n + attempt),
          kind === 'cancel' ? 'POST' : 'PATCH',
          sessionPath(c, id, kind === 'cancel' ? '/cancel' : ''),
          {
            token: c.token,
            body: sending,
            headers: { 'if-match': `"${String(ifMatch)}"` },
          },
        );
        sent.push({ kind, sessionId: id, ifMatch, body: sending, reply });
        const told =
          reply.status === 412 ? (reply.body.currentVersion as number) : reply.status === 200 ? (reply.body.session.version as number) : 0;
        known.set(id, Math.max(known.get(id)!, told));
        if (reply.status !== 412) return;
      }
    };
    const rescheduler = async (r: number): Promise<void> => {
      for (let op = 0; op < 15 || load.creating; op += 1) {
        while (acknowledged.length < 3) await sleep(10);
        // Among the three newest sessions, so that the reschedulers and the canceller meet on them;
        // both reschedulers' op-th move is the same, so that the loser's retry often finds the
        // session already where it wants it (a 200 that appends nothing, answered as of the 412's version).
        const id = acknowledged[acknowledged.length - 1 - (op % 3)]!;
        const startTime = `${pad(hourOf.get(id)!)}:${pad(5 * (op % 7))}`;
        await change('reschedule', id, op + r, { startTime, reason: `load ${String(r)}.${String(op)}` });
      }
    };
    const canceller = async (): Promise<void> => {
      for (let k = 2; k < creates; k += 4) {
        while (acknowledged.length <= k && load.creating) await sleep(10);
        const id = acknowledged[k];
        if (id === undefined) return;
        await change('cancel', id, k, { reason: 'practice', note: `load ${String(k)}` });
      }
    };
    const creators = Promise.all([creator(0), creator(1), creator(2)]).finally(() => {
      load.creating = false;
    });
    const takeover = (async () => {
      while (load.killedAt === 0) await sleep(10);
      return running().takeoverFrom(victim!, load.killedAt);
    })();
    await Promise.all([creators, rescheduler(0), rescheduler(1), canceller()]);
    const { seconds } = await takeover;
    await victim!.exited;

    await running().projectedToHead();
    const log = await logOf(c);
    const counts = (kind: Sent['kind']) => {
      const byStatus = new Map<number, number>();
      for (const s of sent.filter((x) => x.kind === kind)) byStatus.set(s.reply.status, (byStatus.get(s.reply.status) ?? 0) + 1);
      return [...byStatus].map(([status, n]) => `${String(n)}×${String(status)}`).join(' ');
    };
    const unchanged = sent.filter((s) => s.kind === 'reschedule' && s.reply.status === 200 && typesBy(log, s.reply).length === 0);
    console.log(
      `      lease taken over ${seconds.toFixed(2)} s after kill -9; creates ${counts('create')}, reschedules ${counts('reschedule')} ` +
        `(${String(unchanged.length)} of the 200s to where the session was), cancels ${counts('cancel')}`,
    );

    // Replies: every create acknowledged; a change is a 200, a 412 naming a newer version than it
    // sent, or (a reschedule of a session cancelled meanwhile) a 409 not-editable.
    const cancelledInLog = new Set(log.filter((e) => e.type === 'SessionCancelled').map((e) => e.data.sessionId as string));
    expect(sent.filter((s) => s.kind === 'create' && s.reply.status !== 201).map((s) => s.reply.text)).to.deep.equal([]);
    expect(acknowledged).to.have.length(creates);
    for (const s of sent.filter((x) => x.kind !== 'create')) {
      const what = `${s.kind} of ${s.sessionId!} at "${String(s.ifMatch)}": ${s.reply.text}`;
      if (s.reply.status === 412) {
        expectProblem(s.reply, 412);
        expect(s.reply.body.currentVersion, what).to.be.greaterThan(s.ifMatch!);
        expect(s.reply.headers.get('etag'), what).to.equal(`"${String(s.reply.body.currentVersion)}"`);
      } else if (s.reply.status === 409) {
        expect([s.kind, s.reply.body.type, cancelledInLog.has(s.sessionId!)], what).to.deep.equal([
          'reschedule',
          '/problems/not-editable',
          true,
        ]);
      } else {
        expect(s.reply.status, what).to.equal(200);
      }
    }
    const succeeded = (kind: Sent['kind']) => sent.filter((s) => s.kind === kind && s.reply.status < 300);
    expect(succeeded('reschedule')).to.not.have.length(0);
    expect(succeeded('cancel')).to.not.have.length(0);

    // The log: each acknowledged request's events exactly once, at the version its If-Match named
    // (a reschedule to the time the session already had then appends nothing), and nothing else.
    const startTimeAt = (id: string, version: number): unknown => {
      const upTo = log.filter((e) => e.streamId === `session-${id}` && e.revision < version);
      const last = upTo.filter((e) => e.type === 'SessionCreated' || e.type === 'SessionRescheduled').at(-1)!;
      return last.type === 'SessionCreated' ? last.data.startTime : (last.data.to as { startTime: string }).startTime;
    };
    const expectedTypes = (s: Sent): string[] => {
      if (s.reply.status >= 300) return [];
      if (s.kind === 'create') return ['SessionCreated', 'StaffTimeClaimed'];
      if (s.kind === 'cancel') return ['SessionCancelled', 'StaffTimeReleased'];
      const unchanged = (s.body as { startTime: string }).startTime === startTimeAt(s.sessionId!, s.ifMatch!);
      return unchanged ? [] : ['SessionRescheduled', 'StaffTimeClaimed', 'StaffTimeReleased'];
    };
    for (const s of sent) {
      const own = log.filter((e) => e.requestId === requestIdOf(s.reply));
      const what = `${s.kind} of ${String(s.sessionId)} at "${String(s.ifMatch)}" answered ${String(s.reply.status)}`;
      expect(own.map((e) => e.type).sort(), what).to.deep.equal(expectedTypes(s));
      const inSession = own.filter((e) => e.streamId === `session-${s.sessionId!}`);
      expect(
        inSession.map((e) => e.revision),
        what,
      ).to.deep.equal(own.length === 0 ? [] : [s.ifMatch ?? 0]);
      if (s.reply.status === 200) expect(s.reply.body.session.version, what).to.be.at.least((s.ifMatch ?? 0) + inSession.length);
    }
    const requestIds = new Set(sent.map((s) => requestIdOf(s.reply)));
    expect(log.filter((e) => !requestIds.has(e.requestId))).to.deep.equal([]);

    // The read model as every instance serves it equals the log: each session at its stream's
    // version, as the reply that reached that version showed it, holding the time the staff-day
    // streams say it holds (none when cancelled).
    const claims = claimsIn(log);
    for (const id of acknowledged) {
      const served = await servedEverywhere(c, id);
      const stream = log.filter((e) => e.streamId === `session-${id}`);
      expect(served.version, id).to.equal(stream.length);
      expect(served.status === 'cancelled', id).to.equal(cancelledInLog.has(id));
      const reached = sent.find((s) => s.sessionId === id && s.reply.status < 300 && s.reply.body.session.version === stream.length);
      if (reached) expect(served, id).to.deep.equal(reached.reply.body.session);
      expect(claims.get(id), id).to.deep.equal(cancelledInLog.has(id) ? undefined : { startAt: served.startAt, endAt: served.endAt });
    }
    // Nothing applied twice or skipped: the read model equals a fresh replay of the log.
    const result = await running().verifyRebuild();
    expect(result.identical).to.equal(true);
    expect(result.comparison!.checksums!.current).to.equal(result.comparison!.checksums!.rebuilt);
  });
};

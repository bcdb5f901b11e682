/**
 * A rebuild after a few hundred mixed lifecycle changes (edits of every field, status actions,
 * DST-zone workspaces) gives documents identical to the live ones, through the library and
 * through `npm run rebuild -- --dry-run --verify` alike.
 */
import { expect } from 'chai';
import { rebuild } from '../../src/profiles/rebuild.js';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { runCli } from './cli.js';
import { checksumOf, sqliteOf } from './support.js';

describe('rebuilding after a few hundred mixed session changes', () => {
  let app: TestApp;
  let changes = 0;
  before(async function () {
    this.timeout(180_000);
    app = await startTestApp();
    const catalogs: Catalog[] = [
      await createCatalog(app, 'UTC clinic'),
      await createCatalog(app, 'Paris clinic', 'Europe/Paris'),
      await createCatalog(app, 'NY clinic', 'America/New_York'),
    ];
    const sessions: { c: Catalog; id: string; version: number; status: string }[] = [];
    for (let i = 0; i < 45; i += 1) {
      const c = catalogs[i % 3]!;
      const reply = await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, {
        token: c.token,
        body: {
          name: `S${i}`,
          clientId: c.clientId,
          serviceIds: [c.consultationId],
          staffId: c.staffId,
          date: `2024-03-${String(1 + (i % 28)).padStart(2, '0')}`,
          startTime: '09:00',
        },
      });
      expect(reply.status, reply.text).to.equal(201);
      sessions.push({ c, id: reply.body.session.id, version: 1, status: 'scheduled' });
    }
    // A fixed sequence of changes (no randomness: a failure must be reproducible).
    const edits = (n: number, c: Catalog): Record<string, unknown>[] => [
      { name: `Renamed ${n}` },
      { startTime: `${String(8 + (n % 10)).padStart(2, '0')}:${n % 2 ? '30' : '00'}`, reason: 'moved' },
      { serviceIds: [c.consultationId, c.checkupId] },
      { durationMinutes: 20 + (n % 40) },
      { durationMinutes: null },
      { staffId: n % 2 ? null : c.staffId },
      { fieldValues: [{ fieldKey: 'k', value: n }] },
      { date: `2024-04-${String(1 + (n % 28)).padStart(2, '0')}` },
    ];
    for (let n = 0; changes < 320; n += 1) {
      const s = sessions[n % sessions.length]!;
      const base = `/v1/workspace/${s.c.workspaceId}/sessions/${s.id}`;
      const headers = { 'if-match': `"${s.version}"` };
      const step = n % 11;
      let reply;
      if (s.status === 'scheduled' && step === 9) reply = await request(app.url, 'POST', `${base}/start`, { token: s.c.token, headers });
      else if (s.status === 'in-progress' && step === 10)
        reply = await request(app.url, 'POST', `${base}/complete`, { token: s.c.token, headers });
      else if (s.status !== 'cancelled' && s.status !== 'completed' && n % 37 === 0)
        reply = await request(app.url, 'POST', `${base}/cancel`, {
          token: s.c.token,
          headers,
          body: { reason: 'practice', note: `n${n}` },
        });
      else if (s.status === 'completed')
        reply = await request(app.url, 'PATCH', base, {
          token: s.c.token,
          headers,
          body: { fieldValues: [{ fieldKey: 'outcome', value: n, phase: 'post' }] },
        });
      else if (s.status === 'in-progress')
        reply = await request(app.url, 'PATCH', base, {
          token: s.c.token,
          headers,
          body: n % 2 ? { name: `Live ${n}` } : { durationMinutes: 30 + (n % 50) },
        });
      else if (s.status === 'scheduled')
        reply = await request(app.url, 'PATCH', base, { token: s.c.token, headers, body: edits(n, s.c)[n % 8]! });
      else continue;
      if (reply.status === 409 || reply.status === 422) continue;
      expect(reply.status, reply.text).to.equal(200);
      if (reply.body.session.version !== s.version) changes += 1;
      s.version = reply.body.session.version;
      s.status = reply.body.session.status;
    }
  });
  after(async () => app.destroy());

  it('rebuilds every view identical to the live one (dry run, verified)', async () => {
    const types = new Set((await app.allEvents()).map((e) => e.type));
    for (const type of [
      'SessionRescheduled',
      'SessionServicesChanged',
      'SessionStaffReassigned',
      'SessionDetailsChanged',
      'SessionStarted',
      'SessionCompleted',
      'SessionCancelled',
    ]) {
      expect(types, type).to.include(type);
    }
    expect(changes).to.be.at.least(300);
    const store = sqliteOf(app);
    const before = checksumOf(store);
    const result = await rebuild({ store, dryRun: true, verify: true });
    expect(
      result.identical,
      JSON.stringify(result.comparison, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    ).to.equal(true);
    expect(result.switched).to.equal(false);
    // 45 sessions and the bounds of each of the three workspaces.
    expect(result.comparison!.collections.find((x) => x.projection === 'sessions')).to.deep.include({ current: 45 + 3, rebuilt: 45 + 3 });
    expect(checksumOf(store)).to.equal(before);
  });

  it('npm run rebuild -- --dry-run --verify reports no difference', async function () {
    this.timeout(60_000);
    const run = await runCli('rebuild', ['--dry-run', '--verify'], app.dataDir);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    // 45 sessions and the bounds of each of the three workspaces.
    expect(run.stdout).to.include('  sessions: current 48 docs, rebuilt 48 docs; missing 0; extra 0; changed 0');
    expect(run.stdout).to.include('checksums match');
  });
});

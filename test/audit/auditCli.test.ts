import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { runCli } from '../rebuild/cli.js';
import { createSessions } from '../rebuild/support.js';

describe('npm run audit (the CLI)', function () {
  this.timeout(60_000);
  let app: TestApp;
  let a: Catalog;
  let b: Catalog;
  let sessionId: string;
  before(async () => {
    app = await startTestApp();
    [a, b] = [await createCatalog(app, 'A'), await createCatalog(app, 'B')];
    [sessionId] = (await createSessions(app, a, 2)) as [string];
    await createSessions(app, b, 2);
  });
  after(async () => app.destroy());

  const workspaceEventIds = async (c: Catalog): Promise<string[]> => {
    const ids: string[] = [];
    for await (const e of app.running.stores.events.readAll({ workspaceId: c.workspaceId })) ids.push(e.metadata.eventId);
    return ids;
  };

  it("prints the workspace's events as JSON lines in global order, and only them", async () => {
    const run = await runCli('audit', ['--workspace', a.workspaceId], app.dataDir);
    expect(run.code, run.stderr).to.equal(0);
    const entries = run.stdout
      .trim()
      .split('\n')
      .map(
        (line) => JSON.parse(line) as { eventId: string; workspaceId: string; type: string; revision: number; actor: { userId: string } },
      );
    expect(entries.map((e) => e.eventId)).to.deep.equal(await workspaceEventIds(a));
    expect(entries.every((e) => e.workspaceId === a.workspaceId)).to.equal(true);
    expect(entries.at(-1)).to.deep.include({ type: 'SessionCreated', revision: 0, actor: { userId: 'user-1', name: 'Reception' } });
  });

  it('prints one stream as a table', async () => {
    const run = await runCli('audit', ['--workspace', a.workspaceId, '--stream', `session-${sessionId}`, '--format', 'table'], app.dataDir);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).to.match(/^POSITION +OCCURRED AT +TYPE +STREAM@REVISION +ACTOR +REQUEST$/);
    expect(lines[1]).to.match(new RegExp(`SessionCreated v3 +session-${sessionId}@0 +user-1 \\(Reception\\)`));
    expect(lines[2]).to.equal('(1 event)');
  });

  it('filters by --since, and shows nothing of a stream of another workspace', async () => {
    const future = await runCli('audit', ['--workspace', a.workspaceId, '--since', '2999-01-01'], app.dataDir);
    expect(future.code, future.stderr).to.equal(0);
    expect(future.stdout).to.equal('');
    const foreign = await runCli('audit', ['--workspace', b.workspaceId, '--stream', `session-${sessionId}`], app.dataDir);
    expect(foreign.code, foreign.stderr).to.equal(0);
    expect(foreign.stdout).to.equal('');
  });

  it('exits 2 without --workspace or with a bad --since', async () => {
    const noWorkspace = await runCli('audit', [], app.dataDir);
    expect(noWorkspace.code).to.equal(2);
    expect(noWorkspace.stderr).to.include('--workspace is required');
    const badSince = await runCli('audit', ['--workspace', a.workspaceId, '--since', 'last tuesday'], app.dataDir);
    expect(badSince.code).to.equal(2);
    expect(badSince.stderr).to.include('--since must be an ISO 8601 date');
  });
});

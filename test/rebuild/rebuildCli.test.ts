import fs from 'node:fs';
import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { runCli } from './cli.js';
import { checksumOf, createSessions, sqliteOf, tempDataDir } from './support.js';

const summaryLine = /^rebuild workspaces,clients,services,staff,sessions: [\d,]+ events applied in \d+\.\d\d s \([\d,]+ events\/s\); /;

describe('npm run rebuild (the CLI), while the API keeps serving from the same data dir', function () {
  this.timeout(60_000);
  let app: TestApp;
  let c: Catalog;
  let sessions: string[];
  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    sessions = await createSessions(app, c, 3);
  });
  after(async () => app.destroy());

  it('rebuilds, prints matching checksums and a summary line, and the API serves the switched tables', async () => {
    const before = checksumOf(sqliteOf(app));
    const head = await app.head();
    const run = await runCli('rebuild', ['--verify'], app.dataDir);
    expect(run.code, run.stderr).to.equal(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).to.equal(`compared at position ${head}:`);
    // Three sessions and the workspace's bounds.
    expect(lines).to.include('  sessions: current 4 docs, rebuilt 4 docs; missing 0; extra 0; changed 0');
    expect(lines).to.include(`checksum current ${before}`);
    expect(lines).to.include(`checksum rebuilt ${before}`);
    expect(lines).to.include('checksums match');
    expect(lines.at(-1)).to.match(summaryLine);
    expect(lines.at(-1)).to.match(
      new RegExp(`^rebuild .*: ${head} events applied .*; switched to the rebuilt tables at position ${head}$`),
    );
    expect(run.stderr).to.equal('');

    // The API's own connection reads the new tables and writes into them.
    const read = await request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/sessions/${sessions[0]}`, { token: c.token });
    expect(read.status, read.text).to.equal(200);
    const [created] = await createSessions(app, c, 1, 'after-cli');
    expect(await sqliteOf(app).find('sessions', c.workspaceId, created!)).to.not.equal(null);
    expect(checksumOf(sqliteOf(app))).to.not.equal(before);
  });

  it('with --dry-run, reports a tampered document, exits 1 and switches nothing', async () => {
    const db = sqliteOf(app).db;
    db.prepare("UPDATE rm_sessions SET doc = json_set(doc, '$.durationMinutes', 1) WHERE id = ?").run(sessions[1]);
    const tampered = checksumOf(sqliteOf(app));
    const run = await runCli('rebuild', ['--dry-run', '--projection', 'sessions'], app.dataDir);
    expect(run.code, run.stderr).to.equal(1);
    // The four sessions (one created after the first rebuild) and the workspace's bounds.
    expect(run.stdout).to.include(`  sessions: current 5 docs, rebuilt 5 docs; missing 0; extra 0; changed 1 (e.g. ${sessions[1]})\n`);
    expect(run.stdout).to.include('the rebuilt read model DIFFERS from the current one');
    expect(run.stdout.trim().split('\n').at(-1)).to.match(
      /^rebuild sessions: \d+ events applied in .*; dry run: rebuilt tables dropped, current read model unchanged$/,
    );
    expect(checksumOf(sqliteOf(app))).to.equal(tampered);
  });

  it('exits 2 naming the problem for an unknown projection or a data dir without a database', async () => {
    const unknown = await runCli('rebuild', ['--projection', 'nope'], app.dataDir);
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.include('unknown projection "nope"');
    const empty = tempDataDir();
    try {
      const missing = await runCli('rebuild', [], empty);
      expect(missing.code).to.equal(2);
      expect(missing.stderr).to.include('no database at');
      expect(fs.readdirSync(empty)).to.deep.equal([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});

/**
 * The import rules of .dependency-cruiser.cjs, run by the real tool on a small tree laid out like
 * src/ in which every rule has one import that breaks it (and the allowed imports beside them),
 * so that a rule loosened by mistake (a regex that no longer matches) fails here rather than
 * letting wrong imports through `npm test`. src/ itself is checked by `npm run imports`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

/** Each file's imports, by module path: the tree cruised. */
const tree: Record<string, string[]> = {
  'src/events/envelope.ts': [],
  'src/events/session.ts': ['./envelope.js'],
  // Wrong: an event module importing a port.
  'src/events/upcasters.ts': ['./session.js', '../stores/eventStore.js'],
  'src/stores/eventStore.ts': ['type:../events/envelope.js'],
  'src/stores/readModel.ts': ['type:../projections/projection.js'],
  // Wrong: a port importing an adapter.
  'src/stores/upcasting.ts': ['type:./eventStore.js', '../stores/sqlite/sqliteStore.js'],
  'src/projections/projection.ts': ['type:../events/envelope.js'],
  'src/projections/ports.ts': ['type:./projection.js'],
  // Wrong: an engine module importing a view.
  'src/projections/checksum.ts': ['./sessionView.js'],
  'src/projections/documentComparison.ts': ['./checksum.js', 'type:../stores/readModel.js'],
  'src/projections/sessionView.ts': ['./projection.js', 'type:../stores/readModel.js'],
  'src/projections/index.ts': ['./sessionView.js'],
  // Wrong: a projection running store code, and another importing an adapter.
  'src/projections/projector.ts': ['type:../stores/readModel.js', '../stores/eventStore.js'],
  'src/projections/rebuild.ts': ['./index.js', '../stores/sqlite/sqliteRebuild.js'],
  'src/stores/sqlite/sqliteStore.ts': ['../eventStore.js', '../../projections/projection.js', 'type:../readModel.js'],
  // Wrong: an adapter importing the registry, another adapter, and a profile.
  'src/stores/sqlite/sqliteRebuild.ts': ['./sqliteStore.js', '../../projections/ports.js', '../../projections/index.js'],
  'src/stores/mongodb/mongoReadModel.ts': ['../readModel.js', '../sqlite/sqliteStore.js', '../../profiles/stores.js'],
  'src/profiles/stores.ts': ['type:../stores/eventStore.js'],
  'src/profiles/production.ts': ['../stores/mongodb/mongoReadModel.js', '../projections/index.js'],
  'src/profiles/index.ts': ['./production.js', '../stores/sqlite/sqliteStore.js'],
  // Wrong: a command importing a view, HTTP and a profile.
  'src/commands/handle.ts': [
    'type:../stores/eventStore.js',
    '../projections/sessionView.js',
    '../http/problems.js',
    '../profiles/stores.js',
  ],
  'src/http/problems.ts': [],
  'src/http/app.ts': ['../commands/handle.js', './problems.js', '../projections/sessionView.js'],
  'src/cli/rebuild.ts': ['../profiles/index.js', '../stores/sqlite/sqliteRebuild.js', '../projections/rebuild.js'],
  // Wrong: a cycle, and an import of nothing.
  'src/http/a.ts': ['./b.js'],
  'src/http/b.ts': ['./a.js', './missing.js'],
  'src/main.ts': ['./http/app.js', './profiles/index.js'],
};

const source = (imports: string[]): string =>
  imports
    .map((specifier, i) =>
      specifier.startsWith('type:')
        ? `import type * as t${i} from '${specifier.slice(5)}';\nexport type T${i} = typeof t${i};\n`
        : `import * as m${i} from '${specifier}';\nexport const v${i} = m${i};\n`,
    )
    .join('') || 'export const leaf = true;\n';

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

describe('the import rules (.dependency-cruiser.cjs) on a tree with one wrong import per rule', function () {
  this.timeout(60_000);
  let dir: string;
  let found: string[];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'import-rules-'));
    for (const [file, imports] of Object.entries(tree)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), source(imports));
    }
    fs.copyFileSync(path.join(root, 'tsconfig.json'), path.join(dir, 'tsconfig.json'));
    const cli = path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
    // dependency-cruiser exits non-zero when it finds violations; its report is still on stdout.
    const result = await run(
      process.execPath,
      [cli, 'src', '--config', path.join(root, '.dependency-cruiser.cjs'), '--output-type', 'json'],
      {
        cwd: dir,
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: unknown) => ({
      stdout: error instanceof Error && 'stdout' in error && typeof error.stdout === 'string' ? error.stdout : '',
    }));
    const violations = (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
    found = violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports exactly the wrong imports, each under the rule it breaks', () => {
    expect(found).to.deep.equal(
      [
        'events-import-no-layer: src/events/upcasters.ts → src/stores/eventStore.ts',
        'ports-import-no-adapter-or-caller: src/stores/upcasting.ts → src/stores/sqlite/sqliteStore.ts',
        'only-composition-imports-adapters: src/stores/upcasting.ts → src/stores/sqlite/sqliteStore.ts',
        'engine-stays-below-views: src/projections/checksum.ts → src/projections/sessionView.ts',
        'projections-use-ports-as-types-only: src/projections/projector.ts → src/stores/eventStore.ts',
        'projections-see-events-and-ports: src/projections/rebuild.ts → src/stores/sqlite/sqliteRebuild.ts',
        'projections-use-ports-as-types-only: src/projections/rebuild.ts → src/stores/sqlite/sqliteRebuild.ts',
        'only-composition-imports-adapters: src/projections/rebuild.ts → src/stores/sqlite/sqliteRebuild.ts',
        'adapters-see-ports-engine-events: src/stores/sqlite/sqliteRebuild.ts → src/projections/index.ts',
        'adapters-see-ports-engine-events: src/stores/mongodb/mongoReadModel.ts → src/stores/sqlite/sqliteStore.ts',
        'adapters-see-ports-engine-events: src/stores/mongodb/mongoReadModel.ts → src/profiles/stores.ts',
        'nothing-imports-the-composition-root: src/stores/mongodb/mongoReadModel.ts → src/profiles/stores.ts',
        'commands-see-events-and-ports: src/commands/handle.ts → src/projections/sessionView.ts',
        'commands-see-events-and-ports: src/commands/handle.ts → src/http/problems.ts',
        'nothing-below-imports-http: src/commands/handle.ts → src/http/problems.ts',
        'commands-see-events-and-ports: src/commands/handle.ts → src/profiles/stores.ts',
        'nothing-imports-the-composition-root: src/commands/handle.ts → src/profiles/stores.ts',
        'no-circular: src/http/a.ts → src/http/b.ts',
        'not-to-unresolvable: src/http/b.ts → ./missing.js',
      ].sort(),
    );
  });
});

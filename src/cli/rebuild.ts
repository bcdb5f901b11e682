/**
 * npm run rebuild -- [--projection <name>]... [--dry-run] [--verify] [--page-size <n>] [--examples <n>] [--workers <n>]
 *
 * Rebuilds the read models from the event log, blue/green, while the API may keep serving: those
 * of the embedded store (DATA_DIR), or with READ_STORE=mongodb the MongoDB ones (MONGODB_URL,
 * MONGODB_DB), or with READ_STORE=postgres the PostgreSQL ones (POSTGRES_URL), from the configured log. See docs/operations.md. A progress bar on a terminal (stderr); the
 * results on stdout, the last line being the summary (events applied, duration, throughput).
 * Exit codes: 0 done, 1 the rebuilt read model differs from the current one (dry run or verify),
 * 2 usage or configuration error, 3 failed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { sqliteDatabasePath } from '../profiles/embedded.js';
import { openMongoRebuild, openPostgresRebuild } from '../profiles/production.js';
import { rebuild, type RebuildStore } from '../profiles/rebuild.js';
import {
  defaultPageSize,
  selectProjections,
  UnknownProjectionError,
  type RebuildProgress,
  type RebuildResult,
} from '../projections/rebuild.js';
import { exitCodes, loadOperatorConfig, runCli, UsageError } from './operator.js';

const usage =
  'usage: npm run rebuild -- [--projection <name>]... [--dry-run] [--verify] [--page-size <n>] [--examples <n>] [--workers <n>]\n' +
  '  --projection <name>  rebuild only this projection (repeatable); default: all\n' +
  '  --dry-run            build aside and report differences with the current read model; switch nothing\n' +
  '  --verify             print canonical checksums of the current and the rebuilt read model\n' +
  '  --page-size <n>      events per read and per transaction (default 500)\n' +
  '  --examples <n>       example ids listed per kind of difference (default 5)\n' +
  '  --workers <n>        worker threads for large logs (default 1 on 2+ CPUs; 0: this thread only)';

const count = (n: number): string => Math.round(n).toLocaleString('en');

const positiveInteger = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive whole number\n${usage}`);
  return Number(value);
};

/** The report lines: skipped events, differences, checksums, then the summary line. */
export const formatResult = (result: RebuildResult, dryRun: boolean): string[] => {
  const lines: string[] = [];
  for (const kind of result.skipped) {
    lines.push(
      `skipped ${count(kind.count)} ${kind.type} v${kind.schemaVersion} event(s) this release cannot project (first at position ${kind.firstPosition})`,
    );
  }
  const comparison = result.comparison;
  if (comparison) {
    const at = comparison.position === null ? 'an empty log' : `position ${comparison.position}`;
    lines.push(`compared at ${at}:`);
    for (const c of comparison.collections) {
      const kinds = (['missing', 'extra', 'changed'] as const).map((kind) => {
        const d = c[kind];
        return d.count === 0 ? `${kind} 0` : `${kind} ${count(d.count)} (e.g. ${d.examples.join(', ')})`;
      });
      lines.push(`  ${c.projection}: current ${count(c.current)} docs, rebuilt ${count(c.rebuilt)} docs; ${kinds.join('; ')}`);
    }
    if (comparison.checksums) {
      lines.push(`checksum current ${comparison.checksums.current}`);
      lines.push(`checksum rebuilt ${comparison.checksums.rebuilt}`);
      lines.push(comparison.checksums.current === comparison.checksums.rebuilt ? 'checksums match' : 'checksums DIFFER');
    }
    lines.push(result.identical ? 'no differences' : 'the rebuilt read model DIFFERS from the current one');
  }
  const seconds = result.durationMs / 1000;
  const outcome = result.switched
    ? `switched to the rebuilt tables at position ${result.position ?? 'none (empty log)'}`
    : dryRun
      ? 'dry run: rebuilt tables dropped, current read model unchanged'
      : 'not switched';
  lines.push(
    `rebuild ${result.projections.join(',')}: ${count(result.applied)} events applied in ${seconds.toFixed(2)} s ` +
      `(${count(result.eventsPerSecond)} events/s); ${outcome}`,
  );
  return lines;
};

const progressBar = (): { update(progress: RebuildProgress): void; stop(): void } => {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'rebuild [{bar}] {percentage}% | {value}/{total} events | {speed} events/s | ETA {eta_formatted} | {phase}',
      hideCursor: true,
      etaBuffer: 50,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const payload = { speed: count(progress.eventsPerSecond), phase: progress.phase };
      if (!started) {
        bar.start(Math.max(progress.total, 1), progress.applied, payload);
        started = true;
      } else {
        bar.setTotal(Math.max(progress.total, progress.applied, 1));
        bar.update(progress.applied, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
};

const main = async (): Promise<number> => {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        projection: { type: 'string', multiple: true },
        'dry-run': { type: 'boolean', default: false },
        verify: { type: 'boolean', default: false },
        'page-size': { type: 'string' },
        examples: { type: 'string' },
        workers: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    throw new UsageError(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return exitCodes.ok;
  }
  const projections = (values.projection ?? [])
    .flatMap((p) => p.split(','))
    .map((p) => p.trim())
    .filter(Boolean);
  try {
    selectProjections(projections);
  } catch (error) {
    if (error instanceof UnknownProjectionError) throw new UsageError(error.message);
    throw error;
  }
  const pageSize = positiveInteger('page-size', values['page-size'], defaultPageSize);
  const examples = positiveInteger('examples', values.examples, 5);
  if (values.workers !== undefined && !/^\d{1,2}$/.test(values.workers))
    throw new UsageError(`--workers must be a whole number from 0 to 99\n${usage}`);
  const config = loadOperatorConfig();
  let store: RebuildStore;
  let closeStores = async (): Promise<void> => {
    // Nothing opened here for the embedded store: rebuild() opens the database at its path and closes it.
  };
  if (config.readStore === 'mongodb') {
    // A mistyped DATA_DIR would otherwise be an empty log, and the switch would empty the read models.
    const log = sqliteDatabasePath(config.dataDir);
    if (config.eventStore === 'sqlite' && !fs.existsSync(log)) throw new UsageError(`no event log at ${log} (DATA_DIR=${config.dataDir})`);
    ({ store, close: closeStores } = await openMongoRebuild(config));
  } else if (config.readStore === 'postgres') {
    const log = sqliteDatabasePath(config.dataDir);
    if (config.eventStore === 'sqlite' && !fs.existsSync(log)) throw new UsageError(`no event log at ${log} (DATA_DIR=${config.dataDir})`);
    ({ store, close: closeStores } = await openPostgresRebuild(config));
  } else {
    if (config.eventStore !== 'sqlite') {
      throw new UsageError(
        `rebuild works on the embedded store or on MongoDB or PostgreSQL read models; this configuration has EVENT_STORE=${config.eventStore} READ_STORE=${config.readStore}`,
      );
    }
    const path = sqliteDatabasePath(config.dataDir);
    if (!fs.existsSync(path)) throw new UsageError(`no database at ${path} (DATA_DIR=${config.dataDir})`);
    store = path;
  }

  const dryRun = values['dry-run'];
  const bar = process.stderr.isTTY ? progressBar() : undefined;
  const warnings: string[] = [];
  let result: RebuildResult;
  try {
    result = await rebuild({
      store,
      projections,
      dryRun,
      verify: values.verify,
      pageSize,
      examples,
      ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
      ...(bar
        ? {
            onProgress: (progress: RebuildProgress) => {
              bar.update(progress);
            },
          }
        : {}),
      // Under a progress bar, warnings wait until it is gone.
      onWarning: (_details, message) => {
        if (bar) warnings.push(message);
        else process.stderr.write(`warning: ${message}\n`);
      },
    });
  } finally {
    await closeStores();
    bar?.stop();
    for (const message of warnings) process.stderr.write(`warning: ${message}\n`);
  }
  process.stdout.write(`${formatResult(result, dryRun).join('\n')}\n`);
  return result.comparison && !result.identical ? exitCodes.differences : exitCodes.ok;
};

runCli(main);

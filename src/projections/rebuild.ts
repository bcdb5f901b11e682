/**
 * Rebuilds read models from the event log, from position 0, blue/green: the projections are built
 * into new tables while the current ones keep serving, brought to the head of the log (events
 * appended meanwhile included), then switched in one atomic step with their checkpoints, and the
 * old tables dropped. The log is streamed page by page (memory stays flat with its length); each
 * page is applied in one write. Events are upcast on the way; events this release cannot project
 * (unknown type or version) are skipped with a warning.
 *
 *   const result = await rebuild({
 *     store,        // { events, readModel }: the log and a RebuildableReadModel (src/stores/readModel.ts),
 *                   // opened (and closed) by the caller: src/profiles/rebuild.ts for the service's stores
 *     projections,  // names to rebuild (default: every projection), e.g. ['sessions']
 *     dryRun,       // build and compare with the current tables, then drop the new tables (no switch)
 *     verify,       // also compute canonical checksums of the current and rebuilt read models
 *     pageSize,     // events per read and per write (default 500)
 *     examples,     // example ids kept per kind of difference (default 5)
 *     onProgress,   // after every page: { phase, applied, total, position, elapsedMs, eventsPerSecond }
 *     onWarning,    // once per kind of skipped event
 *   });
 *   // result: { projections, applied, skipped, position, durationMs, eventsPerSecond, switched,
 *   //           comparison?: { position, collections[{ missing, extra, changed, checksums? }], checksums? },
 *   //           identical? }
 *
 * `compare` (dry run or verify) looks at both read models at one position of the log. Checksums
 * are those of src/projections/checksum.ts.
 */
import { upcastFactsFrom, workspaceTimeZones } from '../events/upcasters.js';
import type { EventStore, StoredEvent } from '../stores/eventStore.js';
import type { Comparison, RebuildableReadModel, RebuildTarget } from '../stores/readModel.js';
import { allProjections } from './index.js';
import { prepareForProjection, SkippedEvents, type SkippedKind, type SkipWarning } from './projectableEvents.js';
import { feedLog } from './ports.js';
import type { Projection } from './projection.js';

/** Events per page: larger pages cost memory (a page's documents are held until its write) for little speed. */
export const defaultPageSize = 500;

/** What a rebuild reads and what it rebuilds, both opened by the caller. */
export interface RebuildSource {
  events: EventStore;
  readModel: RebuildableReadModel;
}

export type RebuildPhase = 'build' | 'compare' | 'switch' | 'done';

export interface RebuildProgress {
  phase: RebuildPhase;
  /** Events applied so far. */
  applied: number;
  /** Estimated events in all: applied plus what lies between the last applied position and the head. */
  total: number;
  position: bigint | null;
  elapsedMs: number;
  eventsPerSecond: number;
}

export interface RebuildOptions {
  store: RebuildSource;
  projections?: readonly string[];
  dryRun?: boolean;
  verify?: boolean;
  pageSize?: number;
  examples?: number;
  onProgress?: (progress: RebuildProgress) => void;
  onWarning?: SkipWarning;
}

export interface RebuildResult {
  projections: string[];
  /** Events handed to the projections (every projectable event of the log up to `position`). */
  applied: number;
  /** Events left out because this release cannot project them. */
  skipped: SkippedKind[];
  /** The rebuilt read model reflects the log up to here. */
  position: bigint | null;
  durationMs: number;
  eventsPerSecond: number;
  /** True when the rebuilt tables replaced the current ones. */
  switched: boolean;
  /** Present for a dry run or with verify. */
  comparison?: Comparison;
  /** Present with `comparison`: no missing, extra or changed document, and equal checksums when computed. */
  identical?: boolean;
}

export class UnknownProjectionError extends Error {
  readonly code = 'unknown-projection';
  constructor(name: string) {
    super(`unknown projection "${name}"; known: ${allProjections.map((p) => p.name).join(', ')}`);
    this.name = 'UnknownProjectionError';
  }
}

export const selectProjections = (names?: readonly string[]): Projection[] => {
  if (names === undefined || names.length === 0) return [...allProjections];
  return [...new Set(names)].map((name) => {
    const projection = allProjections.find((p) => p.name === name);
    if (!projection) throw new UnknownProjectionError(name);
    return projection;
  });
};

/** The projections to rebuild and the page size, checked before anything is opened or read. */
export const checkRebuildOptions = (
  options: Pick<RebuildOptions, 'projections' | 'pageSize'>,
): { projections: Projection[]; pageSize: number } => {
  const projections = selectProjections(options.projections);
  const pageSize = options.pageSize ?? defaultPageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error(`pageSize must be a positive integer, got ${pageSize}`);
  return { projections, pageSize };
};

/** Streams the log through readAll into `target`, one page per write. Returns the events applied. */
const feedPages = async (
  events: EventStore,
  target: RebuildTarget,
  pageSize: number,
  prepare: (event: StoredEvent) => StoredEvent | null,
  onPage: (applied: number, position: bigint | null) => void,
): Promise<number> => {
  let applied = 0;
  return feedLog(events, { pageSize, prepare }, async (page, through) => {
    await target.applyPage(page, through);
    applied += page.length;
    onPage(applied, through);
  });
};

const identicalComparison = (comparison: Comparison): boolean =>
  comparison.collections.every((c) => c.missing.count === 0 && c.extra.count === 0 && c.changed.count === 0) &&
  (comparison.checksums === undefined || comparison.checksums.current === comparison.checksums.rebuilt);

export const rebuild = async (options: RebuildOptions): Promise<RebuildResult> => {
  const { projections, pageSize } = checkRebuildOptions(options);
  const started = performance.now();
  const { events, readModel } = options.store;
  const skipped = new SkippedEvents(options.onWarning);
  // Upcasting old sessions needs their workspace's zone: read every workspace's once, up front.
  const timeZones = await workspaceTimeZones(events);
  const facts = upcastFactsFrom(new Map(Object.entries(timeZones)));
  const prepare = (event: StoredEvent): StoredEvent | null => prepareForProjection(event, skipped, facts);

  let applied = 0;
  let head = await events.headPosition();
  const elapsed = () => performance.now() - started;
  const report = (phase: RebuildPhase, position: bigint | null, done = applied): void => {
    if (!options.onProgress) return;
    const ms = elapsed();
    const remaining = head === null ? 0 : Math.max(0, Number(head - (position ?? 0n)));
    options.onProgress({
      phase,
      applied: done,
      total: done + remaining,
      position,
      elapsedMs: ms,
      eventsPerSecond: ms > 0 ? (done / ms) * 1000 : 0,
    });
  };
  const onPage = (done: number, position: bigint | null): void => {
    if (!options.onProgress) return;
    // The head moves when the API appends meanwhile; the next page's report uses the new one.
    events.headPosition().then(
      (h) => (head = h),
      () => {
        // A failed read keeps the head this report had; the next page asks again.
      },
    );
    report('build', position, done);
  };

  // A subset of the projections only needs their event types (a full rebuild reads everything,
  // so that events of unknown types are noticed and reported).
  const subset = projections.length < allProjections.length;
  const types = subset ? [...new Set(projections.flatMap((p) => p.handles))] : undefined;
  const target = await readModel.beginRebuild(projections, {
    prepare,
    prepareIsStandard: true,
    prepareLive: (event) => prepareForProjection(event, undefined, facts),
    timeZones,
    ...(types ? { types } : {}),
  });
  try {
    report('build', null);
    applied = target.catchUp ? await target.catchUp({ pageSize, onPage }) : await feedPages(events, target, pageSize, prepare, onPage);
    head = await events.headPosition();

    let comparison: Comparison | undefined;
    if (options.dryRun || options.verify) {
      report('compare', target.position);
      const { applied: appliedWhileComparing, ...compared } = await target.compare({
        checksums: options.verify ?? false,
        differences: true,
        examples: options.examples ?? 5,
      });
      applied += appliedWhileComparing;
      comparison = compared;
    }
    let switched = false;
    if (options.dryRun) {
      await target.discard();
    } else {
      report('switch', target.position);
      applied += (await target.switchOver()).applied;
      switched = true;
    }
    const durationMs = elapsed();
    report('done', target.position);
    const result: RebuildResult = {
      projections: projections.map((p) => p.name),
      applied,
      skipped: skipped.summary(),
      position: target.position,
      durationMs,
      eventsPerSecond: durationMs > 0 ? (applied / durationMs) * 1000 : 0,
      switched,
    };
    if (comparison) {
      result.comparison = comparison;
      result.identical = identicalComparison(comparison);
    }
    return result;
  } catch (error) {
    await target.discard().catch(() => {
      // The error that stopped the rebuild is the one to report, not a failed clean-up after it.
    });
    throw error;
  }
};

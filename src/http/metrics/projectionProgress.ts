/**
 * How far each projection is behind the log, read through the ports so that it holds for every
 * adapter: the checkpoints from the read model, and the events after the lowest one counted from
 * the log in one read (positions are not dense in KurrentDB, so they cannot simply be subtracted).
 * Serves /metrics and /readyz.
 */
import type { EventStore } from '../../stores/eventStore.js';
import type { ReadModelStore } from '../../stores/readModel.js';
import type { ProjectionProgressReport } from './serviceMetrics.js';

export interface ProjectionProgressOptions {
  events: EventStore;
  readModel: ReadModelStore;
  projections: readonly string[];
  /** Events counted at most: a projector this far behind reads as this far behind. */
  countLimit: number;
}

export const projectionProgress = (options: ProjectionProgressOptions) => async (): Promise<ProjectionProgressReport[]> => {
  const reports: ProjectionProgressReport[] = [];
  for (const projection of options.projections) {
    reports.push({ projection, checkpoint: await options.readModel.checkpoint(projection), lag: 0 });
  }
  const lowest = reports.reduce<bigint | null | undefined>(
    (low, r) => (low === null || r.checkpoint === null ? null : low === undefined || r.checkpoint < low ? r.checkpoint : low),
    undefined,
  );
  if (lowest === undefined) return reports;
  let counted = 0;
  for await (const event of options.events.readAll({
    ...(lowest === null ? {} : { after: lowest }),
    pageSize: Math.min(options.countLimit, 1000),
  })) {
    for (const report of reports) if (report.checkpoint === null || event.position > report.checkpoint) report.lag += 1;
    counted += 1;
    if (counted >= options.countLimit) break;
  }
  return reports;
};

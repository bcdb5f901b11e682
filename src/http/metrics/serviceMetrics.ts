/**
 * The service's Prometheus metrics, on a registry the composition root creates and passes in (one
 * per running service, so test apps never share counters). Components get the metric they
 * record: the HTTP middleware the request metrics, the store hooks the commit metrics, and a rate
 * limiter `rateLimitRejections`. Gauges that describe state (projection checkpoints and lag, the
 * document cache) are read when scraped, so a stalled projector still shows its lag.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProjectionProgressReport {
  projection: string;
  /** Position of the last event the projection applied, null before the first. */
  checkpoint: bigint | null;
  /** Events in the log after the checkpoint, counted up to the count limit. */
  lag: number;
}

export interface DocumentCacheStats {
  entries: number;
  bytes: number;
}

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequestsInFlight: Gauge;
  eventsAppended: Counter<'type'>;
  commitBatchSize: Histogram;
  commitDuration: Histogram;
  /** For the rate limiter: one increment per request it rejects, labelled with the route template. */
  rateLimitRejections: Counter<'route'>;
}

export interface StateSources {
  projections?: () => Promise<readonly ProjectionProgressReport[]>;
  documentCache?: () => DocumentCacheStats;
  /** Told when reading a source fails during a scrape (the scrape itself still answers). */
  onCollectError?: (what: string, error: unknown) => void;
}

export const createServiceMetrics = (registry: Registry, options: { defaultMetrics: boolean }): ServiceMetrics => {
  const registers = [registry];
  // Default metrics keep observers for the life of the process; only collect them where they can be scraped.
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    httpRequestsInFlight: new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being answered.', registers }),
    eventsAppended: new Counter({
      name: 'sessions_events_appended_total',
      help: 'Events appended to the event store, by event type.',
      labelNames: ['type'],
      registers,
    }),
    commitBatchSize: new Histogram({
      name: 'sessions_sqlite_commit_batch_size',
      help: 'Appends written by one SQLite transaction (group commit).',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers,
    }),
    commitDuration: new Histogram({
      name: 'sessions_sqlite_commit_duration_seconds',
      help: 'Time of one SQLite append transaction, fsync included.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    }),
    rateLimitRejections: new Counter({
      name: 'sessions_rate_limit_rejections_total',
      help: 'Requests rejected by rate limiting, by route template.',
      labelNames: ['route'],
      registers,
    }),
  };
};

/** Registers the gauges read at scrape time from the stores. */
export const registerStateGauges = (registry: Registry, sources: StateSources): void => {
  const registers = [registry];
  const failed = (what: string, error: unknown) => sources.onCollectError?.(what, error);
  const projections = sources.projections;
  if (projections) {
    // Both gauges are collected concurrently by one scrape: they share one read of the stores.
    let inFlight: Promise<readonly ProjectionProgressReport[]> | undefined;
    const readOnce = (): Promise<readonly ProjectionProgressReport[]> =>
      (inFlight ??= projections()
        .catch((error: unknown) => {
          failed('projections', error);
          return [];
        })
        .finally(() => {
          inFlight = undefined;
        }));
    new Gauge({
      name: 'sessions_projection_checkpoint_position',
      help: 'Log position of the last event each projection applied (-1 before the first).',
      labelNames: ['projection'],
      registers,
      async collect() {
        const reports = await readOnce();
        this.reset();
        for (const report of reports)
          this.set({ projection: report.projection }, report.checkpoint === null ? -1 : Number(report.checkpoint));
      },
    });
    new Gauge({
      name: 'sessions_projection_lag_events',
      help: 'Events in the log after the projection checkpoint (counted up to a limit).',
      labelNames: ['projection'],
      registers,
      async collect() {
        const reports = await readOnce();
        this.reset();
        for (const report of reports) this.set({ projection: report.projection }, report.lag);
      },
    });
  }
  const documentCache = sources.documentCache;
  if (documentCache) {
    const read = (): DocumentCacheStats | null => {
      try {
        return documentCache();
      } catch (error) {
        failed('document cache', error);
        return null;
      }
    };
    new Gauge({
      name: 'sessions_document_cache_entries',
      help: 'Read-model documents held in the in-memory cache.',
      registers,
      collect() {
        const stats = read();
        if (stats) this.set(stats.entries);
      },
    });
    new Gauge({
      name: 'sessions_document_cache_bytes',
      help: 'Size of the cached documents as stored (their JSON, in bytes).',
      registers,
      collect() {
        const stats = read();
        if (stats) this.set(stats.bytes);
      },
    });
  }
};

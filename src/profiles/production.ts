/**
 * Production profiles: events in KurrentDB, PostgreSQL (or the embedded SQLite log), read models
 * in MongoDB or PostgreSQL, projected asynchronously by AsyncProjector (in this process unless
 * PROJECTOR=external), one projector at a time by the read store's lease (a MongoDB lease
 * document, or a PostgreSQL advisory lock).
 *
 * Start-up fails fast, naming the store and its URL, when a store does not answer within
 * `connectTimeoutMs`. Creates wait for the read model through `checkpointProgress`, which reads
 * the checkpoints from the read store and so works whichever instance holds the projector lease.
 */
import fs from 'node:fs';
import { MongoClient } from 'mongodb';
import type { Config, PostgresConfig } from '../config.js';
import { StoreUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { AsyncProjector } from '../projections/asyncProjector.js';
import { checkpointProgress } from '../projections/checkpointProgress.js';
import { allProjections } from '../projections/index.js';
import { pollingSource } from '../projections/pollingSource.js';
import { projectorLease, type Lease, type SubscriptionSource } from '../projections/ports.js';
import { prepareForProjection, SkippedEvents } from '../projections/projectableEvents.js';
import { upcastFactsFrom, workspaceTimeZones } from '../events/upcasters.js';
import type { RebuildSource } from '../projections/rebuild.js';
import type { EventStore, StoredEvent } from '../stores/eventStore.js';
import { assertCheckpointsWithinLog } from '../stores/kurrentdb/checkpointGuard.js';
import { kurrentSubscriptionSource } from '../stores/kurrentdb/kurrentSubscriptionSource.js';
import { KurrentEventStore } from '../stores/kurrentdb/kurrentEventStore.js';
import { MongoLease, leaseOwnerId } from '../stores/mongodb/mongoLease.js';
import { MongoReadModel } from '../stores/mongodb/mongoReadModel.js';
import { mongoOperationTimeoutMs } from '../stores/mongodb/outage.js';
import { mongoRebuildable, type MongoRebuildSettings } from '../stores/mongodb/mongoRebuild.js';
import { PostgresDatabase } from '../stores/postgres/database.js';
import { notifySource } from '../stores/postgres/notifySource.js';
import { PostgresEventStore } from '../stores/postgres/postgresEventStore.js';
import { PostgresAdvisoryLease } from '../stores/postgres/postgresLease.js';
import { PostgresReadModel } from '../stores/postgres/postgresReadModel.js';
import { postgresRebuildable } from '../stores/postgres/postgresRebuild.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { SqliteStore } from '../stores/sqlite/sqliteStore.js';
import { sqliteDatabasePath } from './embedded.js';
import type { Stores } from './stores.js';

/** Bounded wait for each store at start-up and for each health check. */
export const connectTimeoutMs = 10_000;
const healthTimeoutMs = 2_000;

/** One lease for the group: all projections are applied together, from one subscription (see projectorLease). */
export const projectorName = projectorLease.name;
export const leaseTiming = {
  ttlMs: projectorLease.ttlMs,
  renewEveryMs: projectorLease.renewEveryMs,
  retryEveryMs: projectorLease.retryEveryMs,
};
/**
 * The advisory lock is free the moment its holder's connection ends, so a waiting projector
 * retries often (a cheap pg_try_advisory_lock) and takes over within about a second.
 */
export const postgresLeaseTiming = { ttlMs: 10_000, renewEveryMs: 2_000, retryEveryMs: 1_000 };

/** The URL with any password removed, for messages and logs. */
export const redactUrl = (url: string): string =>
  url.replace(/\/\/([^@/]*)@/, (_match, userInfo: string) => `//${userInfo.split(':')[0]}:***@`);

export const withTimeout = async <T>(what: string, ms: number, operation: () => Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([operation(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export class StoreUnreachableError extends Error {
  constructor(store: string, variable: string, url: string, cause: unknown) {
    super(`${store} is not reachable at ${redactUrl(url)} (${variable}): ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StoreUnreachableError';
  }
}

export interface EventSide {
  events: EventStore;
  source: SubscriptionSource;
  kind: 'kurrentdb' | 'sqlite' | 'postgres';
}

/**
 * Connects a PostgreSQL pool, checks that the server answers within `timeoutMs` (else start-up
 * stops naming POSTGRES_URL, masked) and applies the schema migrations.
 */
export const connectPostgres = async (config: PostgresConfig, timeoutMs: number, applicationName?: string): Promise<PostgresDatabase> => {
  const db = new PostgresDatabase({
    url: config.url,
    poolMax: config.poolMax,
    connectionTimeoutMs: config.poolTimeoutMs,
    statementTimeoutMs: config.statementTimeoutMs,
    ...(applicationName ? { applicationName } : {}),
  });
  try {
    await withTimeout('PostgreSQL', timeoutMs, () => db.pool.query('SELECT 1'));
  } catch (error) {
    await db.close().catch(() => undefined);
    throw new StoreUnreachableError('PostgreSQL', 'POSTGRES_URL', config.url, error);
  }
  try {
    await db.migrate();
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
};

export interface ConnectOptions {
  /** Bounded wait for each store at start-up. */
  connectTimeoutMs?: number;
  /** Observer of the embedded log's append transactions (when the log is SQLite). */
  onCommit?: (batchSize: number, seconds: number) => void;
}

/** Connects the event store the configuration names and checks that it answers. */
export const openEventSide = async (config: Config, options: ConnectOptions = {}): Promise<EventSide> => {
  const timeoutMs = options.connectTimeoutMs ?? connectTimeoutMs;
  if (config.eventStore === 'kurrentdb') {
    const url = config.kurrentdbUrl;
    let store: KurrentEventStore;
    try {
      store = KurrentEventStore.fromConnectionString(url);
    } catch (error) {
      throw new StoreUnreachableError('KurrentDB', 'KURRENTDB_URL', url, error);
    }
    try {
      await withTimeout('KurrentDB', timeoutMs, () => store.ping());
    } catch (error) {
      await store.close().catch(() => undefined);
      const hint = url.includes('tls=false') ? '' : ' (an insecure node needs ?tls=false in the URL)';
      throw new StoreUnreachableError(
        'KurrentDB',
        'KURRENTDB_URL',
        url,
        `${error instanceof Error ? error.message : String(error)}${hint}`,
      );
    }
    return { events: store, source: kurrentSubscriptionSource(store.client), kind: 'kurrentdb' };
  }
  if (config.eventStore === 'postgres') {
    const db = await connectPostgres(config.postgres, timeoutMs, 'sessions-events');
    const events = new PostgresEventStore(db, { ownsDatabase: true });
    return { events, source: notifySource(events, { url: config.postgres.url }), kind: 'postgres' };
  }
  // The embedded log with MongoDB read models: no push subscription, so the projector polls.
  fs.mkdirSync(config.dataDir, { recursive: true });
  const store = new SqliteStore({ path: sqliteDatabasePath(config.dataDir), ...(options.onCommit ? { onCommit: options.onCommit } : {}) });
  return { events: store, source: pollingSource(store), kind: 'sqlite' };
};

/** Connects MongoDB, checks that it answers, and creates the read models' indexes. */
export const openReadSide = async (config: Config & { readStore: 'mongodb' }, options: ConnectOptions = {}): Promise<MongoReadModel> => {
  const timeoutMs = options.connectTimeoutMs ?? connectTimeoutMs;
  const url = config.mongodbUrl;
  let client: MongoClient;
  try {
    // Short: during an outage every operation waits this long for a server, and the API answers
    // 503 once it gives up (see mongodb/outage.ts), rather than holding requests for 10 s.
    const waitMs = Math.min(timeoutMs, mongoOperationTimeoutMs);
    client = new MongoClient(url, { serverSelectionTimeoutMS: waitMs, connectTimeoutMS: waitMs, appName: 'sessions-service' });
  } catch (error) {
    throw new StoreUnreachableError('MongoDB', 'MONGODB_URL', url, error);
  }
  const readModel = new MongoReadModel(client.db(config.mongodbDb), client, { projections: allProjections });
  try {
    // Start-up still waits up to the connect timeout: a server that is starting gets a few tries.
    const deadline = Date.now() + timeoutMs;
    await withTimeout('MongoDB', timeoutMs + 1_000, async () => {
      for (;;) {
        try {
          await readModel.ping();
          return;
        } catch (error) {
          // Only "no server yet" is worth another try (each waits out server selection); an
          // authentication or configuration error will not change.
          if (!(error instanceof StoreUnavailableError) || Date.now() >= deadline) throw error;
        }
      }
    });
  } catch (error) {
    await client.close().catch(() => undefined);
    // The driver's own message (ECONNREFUSED, authentication…) is what an operator needs here.
    const cause = error instanceof StoreUnavailableError && error.cause !== undefined ? error.cause : error;
    throw new StoreUnreachableError('MongoDB', 'MONGODB_URL', url, cause);
  }
  await readModel.ensureIndexes(allProjections);
  return readModel;
};

/** A read store of the production profile and the lease its projector holds. */
export interface ReadSide {
  readModel: ReadModelStore;
  kind: 'mongodb' | 'postgres';
  lease(name: string): { lease: Lease; ttlMs: number; renewEveryMs: number; retryEveryMs: number };
  close(): Promise<void>;
}

/** Connects the read store the configuration names, with its indexes (MongoDB) or tables (PostgreSQL). */
export const openReadStore = async (
  config: Config & { readStore: 'mongodb' | 'postgres' },
  options: ConnectOptions = {},
): Promise<ReadSide> => {
  if (config.readStore === 'postgres') {
    const db = await connectPostgres(config.postgres, options.connectTimeoutMs ?? connectTimeoutMs, 'sessions-read-models');
    const readModel = new PostgresReadModel(db, { projections: allProjections, ownsDatabase: true });
    try {
      await readModel.ensureCollections();
    } catch (error) {
      await readModel.close().catch(() => undefined);
      throw error;
    }
    return {
      readModel,
      kind: 'postgres',
      lease: (name) => ({ lease: new PostgresAdvisoryLease({ url: config.postgres.url, name }), ...postgresLeaseTiming }),
      close: () => readModel.close(),
    };
  }
  const readModel = await openReadSide(config, options);
  return {
    readModel,
    kind: 'mongodb',
    lease: (name) => ({ lease: new MongoLease(readModel.db, name, leaseOwnerId(), leaseTiming.ttlMs), ...leaseTiming }),
    close: () => readModel.close(),
  };
};

/**
 * What projections see of an event, as in the embedded profile: upcast to its current shape, and
 * skipped (with one warning per kind) when this release cannot project it.
 */
export const projectableOnly = (logger: Logger, timeZones: Record<string, string> = {}): ((event: StoredEvent) => StoredEvent | null) => {
  const skipped = new SkippedEvents((details, message) => {
    logger.warn(details, message);
  });
  // Old sessions are upcast with their workspace's zone: known from start-up, and learned as
  // workspaces are created (the log brings a WorkspaceCreated before any of its sessions).
  const zones = new Map(Object.entries(timeZones));
  const facts = upcastFactsFrom(zones);
  return (event) => {
    if (event.type === 'WorkspaceCreated') zones.set(event.metadata.workspaceId, (event.data as { timeZone: string }).timeZone);
    return prepareForProjection(event, skipped, facts);
  };
};

export const createProjector = (
  side: EventSide,
  readSide: ReadSide,
  logger: Logger,
  onApplied?: (position: bigint) => void,
  timeZones: Record<string, string> = {},
): AsyncProjector =>
  new AsyncProjector({
    name: projectorName,
    source: side.source,
    readModel: readSide.readModel,
    projections: allProjections,
    logger,
    lease: readSide.lease(projectorName),
    prepare: projectableOnly(logger, timeZones),
    ...(onApplied ? { onApplied } : {}),
  });

export interface StoreCheck {
  kind: string;
  ok: boolean;
  error?: string;
}

const check = async (kind: string, ping: () => Promise<void>): Promise<StoreCheck> => {
  try {
    await withTimeout(kind, healthTimeoutMs, ping);
    return { kind, ok: true };
  } catch (error) {
    return { kind, ok: false, error: error instanceof Error ? error.message : String(error) };
  }
};

/** Whether the event store and the read store answer within 2 s: /healthz of the API and of the projector process. */
export const pingStores = (
  side: Pick<EventSide, 'events' | 'kind'>,
  readSide: Pick<ReadSide, 'readModel' | 'kind'>,
): Promise<[StoreCheck, StoreCheck]> =>
  Promise.all([check(side.kind, () => side.events.ping()), check(readSide.kind, () => readSide.readModel.ping())]);

export const openProductionStores = async (config: Config, logger: Logger, options: ConnectOptions = {}): Promise<Stores> => {
  if (config.readStore === 'sqlite') {
    throw new Error(`EVENT_STORE=${config.eventStore} READ_STORE=${config.readStore} is not a supported combination`);
  }
  const side = await openEventSide(config, options);
  let readSide: ReadSide;
  try {
    readSide = await openReadStore(config, options);
    // A log wiped or replaced under kept read models would be skipped silently: refuse to start.
    await assertCheckpointsWithinLog(side.events, readSide.readModel, allProjections).catch(async (error: unknown) => {
      await readSide.close().catch(() => undefined);
      throw error;
    });
  } catch (error) {
    await side.events.close().catch(() => undefined);
    throw error;
  }
  const readModel = readSide.readModel;
  const progress = checkpointProgress({ events: side.events, readModel, projections: allProjections });
  const projector =
    config.projector === 'in-process'
      ? createProjector(
          side,
          readSide,
          logger,
          (position) => {
            progress.notify(position);
          },
          await workspaceTimeZones(side.events),
        )
      : undefined;
  projector?.start();
  logger.info(
    {
      eventStore: side.kind,
      readStore: readSide.kind,
      kurrentdb: config.kurrentdbUrl ? redactUrl(config.kurrentdbUrl) : undefined,
      mongodb: config.mongodbUrl && readSide.kind === 'mongodb' ? redactUrl(config.mongodbUrl) : undefined,
      postgres: config.postgres ? redactUrl(config.postgres.url) : undefined,
      database: readSide.kind === 'mongodb' ? config.mongodbDb : undefined,
      projector: config.projector,
    },
    'production stores open',
  );

  return {
    events: side.events,
    readModel,
    progress,
    health: async () => {
      const [eventStore, readStore] = await pingStores(side, { kind: readSide.kind, readModel });
      let projectionLag: number | null = null;
      if (eventStore.ok && readStore.ok) {
        projectionLag = await withTimeout('projection lag', healthTimeoutMs, () => progress.lag()).then(Number, () => null);
      }
      return {
        ok: eventStore.ok && readStore.ok,
        checks: {
          eventStore,
          readStore,
          projector: projector ? projector.status() : { mode: 'external' },
          projectionLag,
        },
      };
    },
    close: async () => {
      await projector?.stop();
      await Promise.allSettled([side.events.close(), readSide.close()]);
    },
  };
};

/**
 * Opens what a rebuild of the MongoDB read models needs (READ_STORE=mongodb), through the same
 * openers the service uses: the configured event log (KurrentDB or the embedded SQLite log) and
 * the MongoDB read model, with the rebuild capability of src/stores/mongodb/mongoRebuild.ts on top.
 */
export const openMongoRebuild = async (
  config: Config & { readStore: 'mongodb' },
  settings: Partial<MongoRebuildSettings> = {},
): Promise<{ store: RebuildSource; close: () => Promise<void> }> => {
  const side = await openEventSide(config);
  try {
    const readModel = await openReadSide(config);
    return {
      store: { events: side.events, readModel: mongoRebuildable(readModel, side.events, settings) },
      close: async () => {
        await Promise.allSettled([side.events.close(), readModel.close()]);
      },
    };
  } catch (error) {
    await side.events.close().catch(() => undefined);
    throw error;
  }
};

/**
 * Opens what a rebuild of the PostgreSQL read models needs (READ_STORE=postgres), through the same
 * openers the service uses: the configured event log and the PostgreSQL read model, with the
 * rebuild capability of src/stores/postgres/postgresRebuild.ts on top.
 */
export const openPostgresRebuild = async (
  config: Config & { readStore: 'postgres' },
): Promise<{ store: RebuildSource; close: () => Promise<void> }> => {
  const side = await openEventSide(config);
  try {
    const readSide = await openReadStore(config);
    if (!(readSide.readModel instanceof PostgresReadModel)) throw new Error('READ_STORE must be postgres');
    return {
      store: { events: side.events, readModel: postgresRebuildable(readSide.readModel, side.events, config.postgres.url) },
      close: async () => {
        await Promise.allSettled([side.events.close(), readSide.close()]);
      },
    };
  } catch (error) {
    await side.events.close().catch(() => undefined);
    throw error;
  }
};

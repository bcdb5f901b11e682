/**
 * The PostgreSQL profile as it is deployed to scale out, for the multi-process tests: API
 * processes (PROJECTOR=external) and projector processes on one fresh database, all started at
 * once (so their migrations race), and what a test reads behind them: the log and the read model
 * through the stores, the projector lease's holder, and a rebuild's verify.
 */
import { allProjections } from '../../src/projections/index.js';
import { rebuild } from '../../src/projections/rebuild.js';
import { projectorName } from '../../src/profiles/production.js';
import { PostgresDatabase } from '../../src/stores/postgres/database.js';
import { PostgresEventStore } from '../../src/stores/postgres/postgresEventStore.js';
import { PostgresAdvisoryLease } from '../../src/stores/postgres/postgresLease.js';
import { PostgresReadModel } from '../../src/stores/postgres/postgresReadModel.js';
import { postgresRebuildable } from '../../src/stores/postgres/postgresRebuild.js';
import { startApi, startProjector, type ServiceProcess } from './processes.js';
import { createTestDatabase, type TestDatabase } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Cluster {
  database: TestDatabase;
  apis: ServiceProcess[];
  projectors: ServiceProcess[];
  db: PostgresDatabase;
  events: PostgresEventStore;
  readModel: PostgresReadModel;
  /** Waits (no time limit but the test's) until every projection's checkpoint is at the head of the log. */
  projectedToHead(): Promise<void>;
  /** The projector process holding the lease now, if any. */
  leaseHolder(): Promise<ServiceProcess | undefined>;
  /** Waits until a projector other than `gone` holds the lease; answers it and how long that took. */
  takeoverFrom(gone: ServiceProcess, since: number): Promise<{ holder: ServiceProcess; seconds: number }>;
  /** A rebuild's dry run with verify: whether the read model equals a fresh replay of the log. */
  verifyRebuild(): ReturnType<typeof rebuild>;
  /** Stops every process and drops the database; safe after a start that failed half-way. */
  stop(): Promise<void>;
}

const leaseName = (p: ServiceProcess): string => `sessions-projector-lease:${String(p.pid)}`;

export const startCluster = async (size: { apis: number; projectors: number }): Promise<Cluster> => {
  const database = await createTestDatabase();
  const starting = [
    ...Array.from({ length: size.apis }, () => startApi(database.url)),
    ...Array.from({ length: size.projectors }, () => startProjector(database.url)),
  ];
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const stopProcesses = () => Promise.allSettled(started.map((p) => p.stop()));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await stopProcesses();
    await database.drop();
    throw failed.reason;
  }
  const db = new PostgresDatabase({ url: database.url });
  const events = new PostgresEventStore(db);
  const readModel = new PostgresReadModel(db, { projections: allProjections });
  const projectors = started.slice(size.apis);

  const leaseHolder = async (): Promise<ServiceProcess | undefined> => {
    const holder = await PostgresAdvisoryLease.holder(db.pool, projectorName);
    return holder === null ? undefined : projectors.find((p) => leaseName(p) === holder.applicationName);
  };

  return {
    database,
    apis: started.slice(0, size.apis),
    projectors,
    db,
    events,
    readModel,
    projectedToHead: async () => {
      for (;;) {
        const head = await events.headPosition();
        const checkpoints = await Promise.all(allProjections.map((p) => readModel.checkpoint(p.name)));
        if (checkpoints.every((cp) => cp !== null && head !== null && cp >= head)) return;
        await sleep(50);
      }
    },
    leaseHolder,
    takeoverFrom: async (gone, since) => {
      for (;;) {
        const holder = await leaseHolder();
        if (holder !== undefined && holder !== gone) return { holder, seconds: (performance.now() - since) / 1000 };
        await sleep(20);
      }
    },
    verifyRebuild: () =>
      rebuild({ store: { events, readModel: postgresRebuildable(readModel, events, database.url) }, dryRun: true, verify: true }),
    stop: async () => {
      await stopProcesses();
      await db.close();
      await database.drop();
    },
  };
};

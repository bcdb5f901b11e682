/**
 * The 201 under asynchronous projection: a create waits (bounded by projectionWaitMs) until the
 * read model's checkpoint reaches the appended event. Run on the embedded SQLite log with no
 * inline projections, so that the read model only moves when a projector moves it.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { pino } from 'pino';
import { parseCreateSession } from '../../src/commands/createSession.js';
import { handleCommand, type AggregateCommand, type CommandDeps, type CommandRequest } from '../../src/commands/handle.js';
import { createSessionSpec, updateSessionSpec } from '../../src/commands/session.js';
import { StreamLocks } from '../../src/commands/streamLocks.js';
import { parseUpdateSession } from '../../src/commands/updateSession.js';
import { documentAfter, type ReadBackDeps } from '../../src/projections/readBack.js';
import type { EventToAppend } from '../../src/stores/eventStore.js';
import type { EventMetadata } from '../../src/events/envelope.js';
import { AsyncProjector } from '../../src/projections/asyncProjector.js';
import { checkpointProgress } from '../../src/projections/checkpointProgress.js';
import { clientView } from '../../src/projections/clientView.js';
import { allProjections } from '../../src/projections/index.js';
import { pollingSource } from '../../src/projections/pollingSource.js';
import { catchUp } from '../../src/projections/projector.js';
import { serviceView } from '../../src/projections/serviceView.js';
import { sessionView } from '../../src/projections/sessionView.js';
import { workspaceView } from '../../src/projections/workspaceView.js';
import { PendingDocuments, ReadYourWritesReadModel } from '../../src/stores/pendingDocuments.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

const capturingLogger = () => {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
  return { logger, lines };
};

const objectId = (): string => randomUUID().replace(/-/g, '').slice(0, 24);

const meta = (workspaceId: string): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt: '2024-01-15T09:00:00.000Z',
  actor: { userId: 'admin' },
  workspaceId,
  requestId: 'seed',
  correlationId: 'seed',
  schemaVersion: 1,
});

describe('a create under asynchronous projection', () => {
  let dir: string;
  let store: SqliteStore;
  let workspaceId: string;
  let clientId: string;
  let serviceIds: string[];

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-wait-'));
    store = new SqliteStore({ path: path.join(dir, 'sessions.db') });
    workspaceId = objectId();
    clientId = objectId();
    serviceIds = [objectId(), objectId()];
    const seeded = [
      await store.append(
        `workspace-${workspaceId}`,
        [{ type: 'WorkspaceCreated', data: { workspaceId, name: 'Clinic', timeZone: 'UTC' }, metadata: meta(workspaceId) }],
        'no_stream',
      ),
      await store.append(
        `client-${clientId}`,
        [
          {
            type: 'ClientRegistered',
            data: { clientId, workspaceId, name: 'John Doe', email: null, phone: null },
            metadata: meta(workspaceId),
          },
        ],
        'no_stream',
      ),
      await store.append(
        `service-${serviceIds[0]}`,
        [
          {
            type: 'ServiceDefined',
            data: { serviceId: serviceIds[0], workspaceId, name: 'استشارة طبية', scope: 'sessions', durationMinutes: 30 },
            metadata: meta(workspaceId),
          },
        ],
        'no_stream',
      ),
      await store.append(
        `service-${serviceIds[1]}`,
        [
          {
            type: 'ServiceDefined',
            data: { serviceId: serviceIds[1], workspaceId, name: 'فحص عام', scope: 'sessions', durationMinutes: 60 },
            metadata: meta(workspaceId),
          },
        ],
        'no_stream',
      ),
    ];
    expect(seeded.map((r) => r.position)).to.deep.equal([1n, 2n, 3n, 4n]);
    // The catalog is projected; the sessions (and staff) projections have applied nothing yet.
    const catalog = [];
    for await (const event of store.readAll()) catalog.push(event);
    await store.apply([workspaceView, clientView, serviceView], catalog);
  });

  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  type Deps = CommandDeps & ReadBackDeps;
  const deps = (logger: Deps['logger'], progress: Deps['progress'], projectionWaitMs: number): Deps => ({
    events: store,
    readModel: store,
    progress,
    clock: () => new Date('2024-01-15T10:00:00.000Z'),
    ids: { objectId, uuid: randomUUID },
    logger,
    locks: new StreamLocks(),
    projectionWaitMs,
  });

  /** The write path as the HTTP layer runs it: the command, then the document read back. */
  const executeCreate = async (d: Deps, spec: AggregateCommand<unknown, EventToAppend, unknown, unknown>, req: CommandRequest) => {
    const outcome = await handleCommand(d, spec, req);
    return { replayed: outcome.replayed, document: await documentAfter(d, sessionView, outcome) };
  };

  const request = (): CommandRequest => ({
    context: { actor: { userId: 'user-1', name: 'Reception' }, requestId: 'req-1', correlationId: 'corr-1' },
    scope: workspaceId,
    body: {},
  });

  const sessionInput = () =>
    parseCreateSession({ name: 'Consultation', clientId, serviceIds, date: '2024-01-20T10:00:00Z', startTime: '10:00' });

  it('answers with the document projected from the event, and logs a warning with the lag, when the read model does not catch up in time', async () => {
    const { logger, lines } = capturingLogger();
    // No projector runs: the sessions checkpoint never reaches the new event.
    const progress = checkpointProgress({ events: store, readModel: store, projections: allProjections, pollMs: 10 });
    const outcome = await executeCreate(deps(logger, progress, 50), createSessionSpec(store, workspaceId, sessionInput()), request());

    const events = [];
    for await (const event of store.readAll({ after: 4n })) events.push(event);
    expect(events.map((e) => e.type)).to.deep.equal(['SessionCreated']);
    const [created] = events;
    expect(outcome.replayed).to.equal(false);
    expect(outcome.document).to.deep.equal(sessionView.evolve(null, created!, outcome.document.id));
    expect(outcome.document).to.deep.include({
      workspaceId,
      clientName: 'John Doe',
      durationMinutes: 90,
      endTime: '11:30',
      serviceNames: ['استشارة طبية', 'فحص عام'],
    });
    expect(await store.find('sessions', workspaceId, outcome.document.id)).to.equal(null);

    const warnings = lines.filter((line) => line.level === 40);
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.msg).to.match(/did not reach the appended event in time/);
    expect(warnings[0]).to.deep.include({ streamId: `session-${outcome.document.id}`, position: '5', lag: '5' });

    // Once a projector catches up, the stored document is the one the 201 answered with.
    await catchUp(store, store, allProjections);
    expect(await store.find('sessions', workspaceId, outcome.document.id)).to.deep.equal(outcome.document);
  });

  it('serves the answered document to reads on the same instance until the read model has it', async () => {
    const { logger } = capturingLogger();
    const progress = checkpointProgress({ events: store, readModel: store, projections: allProjections, pollMs: 10 });
    const pending = new PendingDocuments();
    const readModel = new ReadYourWritesReadModel(store, pending);
    const outcome = await executeCreate(
      { ...deps(logger, progress, 50), readModel, pending },
      createSessionSpec(readModel, workspaceId, sessionInput()),
      request(),
    );
    const id = outcome.document.id;

    expect(await store.find('sessions', workspaceId, id)).to.equal(null);
    expect(await readModel.find('sessions', workspaceId, id)).to.deep.equal(outcome.document);
    expect(await readModel.findMany('sessions', workspaceId, [id])).to.deep.equal([outcome.document]);
    expect(await readModel.find('sessions', objectId(), id), 'another workspace').to.equal(null);

    await catchUp(store, store, allProjections);
    expect(await readModel.find('sessions', workspaceId, id)).to.deep.equal(outcome.document);
    expect(pending.size, 'forgotten once the read model holds it').to.equal(0);
  });

  it('answers with the stored document, without a warning, when the in-process projector applies the event in time', async () => {
    const { logger, lines } = capturingLogger();
    const progress = checkpointProgress({ events: store, readModel: store, projections: allProjections, pollMs: 10 });
    const projector = new AsyncProjector({
      name: 'test',
      source: pollingSource(store, { intervalMs: 5 }),
      readModel: store,
      projections: allProjections,
      logger,
      onApplied: (position) => {
        progress.notify(position);
      },
    });
    projector.start();
    try {
      const outcome = await executeCreate(deps(logger, progress, 5000), createSessionSpec(store, workspaceId, sessionInput()), request());
      const stored = await store.find('sessions', workspaceId, outcome.document.id);
      expect(stored).to.not.equal(null);
      expect(outcome.document).to.deep.equal(stored);
      expect(await store.checkpoint('sessions')).to.equal(5n);
      expect(lines.filter((line) => line.level >= 40)).to.deep.equal([]);
    } finally {
      await projector.stop();
    }
  });

  it('answers a change that changes nothing with the version it was decided on, not the older document of a read model that lags', async () => {
    const { logger } = capturingLogger();
    const progress = checkpointProgress({ events: store, readModel: store, projections: allProjections, pollMs: 10 });
    const d = deps(logger, progress, 50);
    const created = await executeCreate(d, createSessionSpec(store, workspaceId, sessionInput()), request());
    const id = created.document.id;
    await catchUp(store, store, allProjections);
    // Renamed at version 1 while no projector runs: the read model stays at version 1.
    const rename = (expectedVersion: number) =>
      executeCreate(d, updateSessionSpec(store, workspaceId, id, parseUpdateSession({ name: 'Renamed' })), {
        ...request(),
        expectedVersion,
      });
    const renamed = await rename(1);
    expect(renamed.document).to.deep.include({ version: 2, name: 'Renamed' });
    expect(await store.find('sessions', workspaceId, id)).to.deep.include({ version: 1, name: 'Consultation' });
    // The same rename at version 2 (the If-Match a 412 would have named) appends nothing, and its
    // 200 shows version 2: with version 1's document and ETag the client's next change would be a 412.
    const head = await store.headPosition();
    const again = await rename(2);
    expect(await store.headPosition()).to.equal(head);
    expect(again.replayed).to.equal(false);
    expect(again.document).to.deep.equal(renamed.document);
    // Once the read model has caught up, the answer is its document, the same one.
    await catchUp(store, store, allProjections);
    expect((await rename(2)).document).to.deep.equal(await store.find('sessions', workspaceId, id));
  });

  it('reports the lag as the number of events after the slowest checkpoint, up to the limit', async () => {
    const progress = checkpointProgress({ events: store, readModel: store, projections: allProjections, lagCountLimit: 3 });
    // staff and sessions have applied nothing: all 4 events are behind, counted up to 3.
    expect(await progress.lag()).to.equal(3n);
    await catchUp(store, store, allProjections);
    expect(await progress.lag()).to.equal(0n);
    expect(await progress.waitFor('sessions', 4n, 0)).to.equal(true);
    expect(await progress.waitFor('sessions', 5n, 20)).to.equal(false);
  });
});

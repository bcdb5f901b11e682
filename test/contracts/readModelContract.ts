/**
 * The ReadModelStore port's contract, run against every adapter. The store may be shared with
 * other runs (a real MongoDB server), so every test uses fresh workspace ids, document ids and
 * projection names (a projection's name is its checkpoint), and writes to a few fixed collections.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { EventMetadata } from '../../src/events/envelope.js';
import type { SessionCreated } from '../../src/events/index.js';
import type { Projection } from '../../src/projections/projection.js';
import { sessionView } from '../../src/projections/sessionView.js';
import { workspaceView } from '../../src/projections/workspaceView.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import type { Document, ReadModelStore } from '../../src/stores/readModel.js';
import { itemsProjection } from './itemsProjection.js';
import { multiDocumentContract } from './multiDocumentContract.js';
import { readModelQueryContract } from './readModelQueryContract.js';

export interface OpenedReadModel {
  readModel: ReadModelStore;
  cleanup(): Promise<void>;
}

const suffix = (): string => randomUUID().replace(/-/g, '').slice(0, 16);
const objectId = (): string => randomUUID().replace(/-/g, '').slice(0, 24);

const metadata = (workspaceId: string, occurredAt = '2024-01-15T10:00:00.000Z'): EventMetadata => ({
  eventId: randomUUID(),
  occurredAt,
  actor: { userId: 'contract-user' },
  workspaceId,
  requestId: 'req',
  correlationId: 'corr',
  schemaVersion: 1,
});

/** A test projection: counts the events applied to a counter, deletes it on CounterRemoved. */
const counterCollection = 'contract_counters';
interface Counter extends Document {
  count: number;
  last: string;
}

const counterProjection = (): Projection<Counter> => ({
  name: `contract_counter_${suffix()}`,
  collection: counterCollection,
  handles: ['CounterIncremented', 'CounterRemoved'],
  documents: (event) => {
    const data = event.data as { counterId: string; workspaceId: string };
    return { ids: [data.counterId], workspaceId: data.workspaceId };
  },
  evolve: (current, event) => {
    const data = event.data as { counterId: string; workspaceId: string; label?: string };
    if (event.type === 'CounterRemoved') return null;
    if (event.type === 'ExplodingEvent') throw new Error('boom');
    return {
      id: data.counterId,
      workspaceId: data.workspaceId,
      count: (current?.count ?? 0) + 1,
      last: data.label ?? '',
    };
  },
});

/** Synthetic recorded events with positions chosen by the test (each test has its own checkpoint). */
const recorded = (position: bigint, type: string, data: Record<string, unknown>, workspaceId: string): StoredEvent => ({
  streamId: `counter-${typeof data.counterId === 'string' ? data.counterId : 'none'}`,
  revision: 0n,
  position,
  type,
  data,
  metadata: metadata(workspaceId),
});

/**
 * The projections whose collections the contract writes and queries: an adapter that creates its
 * indexes up front (MongoDB, PostgreSQL) creates theirs; the SQLite read model also learns them
 * from `apply`. Tests use copies under fresh names (their own checkpoints), same collections.
 */
export const contractProjections: readonly Projection[] = [itemsProjection('contract_items')];

export const readModelContract = (adapterName: string, open: (projections: readonly Projection[]) => Promise<OpenedReadModel>): void => {
  describe(`ReadModelStore contract: ${adapterName}`, () => {
    /** Unset when `before` failed: `after` runs all the same. */
    let opened: OpenedReadModel | undefined;
    let readModel: ReadModelStore;
    let workspaceId: string;
    let otherWorkspace: string;
    let projection: Projection<Counter>;

    before(async () => {
      opened = await open(contractProjections);
      readModel = opened.readModel;
    });
    after(async () => {
      await opened?.cleanup();
    });
    beforeEach(() => {
      workspaceId = objectId();
      otherWorkspace = objectId();
      projection = counterProjection();
    });

    const increment = (position: bigint, counterId: string, ws = workspaceId, label = `at ${position}`) =>
      recorded(position, 'CounterIncremented', { counterId, workspaceId: ws, label }, ws);

    describe('apply', () => {
      it('writes the documents and advances the checkpoint to the last event', async () => {
        const a = objectId();
        const b = objectId();
        expect(await readModel.checkpoint(projection.name)).to.equal(null);
        await readModel.apply([projection], [increment(10n, a), increment(11n, b), increment(12n, a)]);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.equal({ id: a, workspaceId, count: 2, last: 'at 12' });
        expect(await readModel.find(counterCollection, workspaceId, b)).to.deep.equal({ id: b, workspaceId, count: 1, last: 'at 11' });
        const checkpoint = await readModel.checkpoint(projection.name);
        expect(typeof checkpoint).to.equal('bigint');
        expect(checkpoint).to.equal(12n);
      });

      it('changes nothing when the same events are applied twice', async () => {
        const a = objectId();
        const batch = [increment(20n, a), increment(21n, a)];
        await readModel.apply([projection], batch);
        await readModel.apply([projection], batch);
        await readModel.apply([projection], [batch[0]!]);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.include({ count: 2, last: 'at 21' });
        expect(await readModel.checkpoint(projection.name)).to.equal(21n);
      });

      it('skips the already applied part of a batch that overlaps the checkpoint', async () => {
        const a = objectId();
        await readModel.apply([projection], [increment(30n, a), increment(31n, a)]);
        await readModel.apply([projection], [increment(30n, a), increment(31n, a), increment(32n, a)]);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.include({ count: 3, last: 'at 32' });
        expect(await readModel.checkpoint(projection.name)).to.equal(32n);
      });

      it('advances the checkpoint over events the projection does not handle', async () => {
        const a = objectId();
        await readModel.apply([projection], [increment(40n, a)]);
        await readModel.apply(
          [projection],
          [recorded(41n, 'SomethingElse', { x: 1 }, workspaceId), recorded(45n, 'SomethingElse', {}, workspaceId)],
        );
        expect(await readModel.checkpoint(projection.name)).to.equal(45n);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.include({ count: 1 });
      });

      it('keeps one checkpoint per projection, each advanced by the same write', async () => {
        const second: Projection<Counter> = { ...counterProjection(), collection: `${counterCollection}_b` };
        const a = objectId();
        await readModel.apply([projection, second], [increment(50n, a), recorded(51n, 'SomethingElse', {}, workspaceId)]);
        expect(await readModel.checkpoint(projection.name)).to.equal(51n);
        expect(await readModel.checkpoint(second.name)).to.equal(51n);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.include({ count: 1 });
        expect(await readModel.find(second.collection, workspaceId, a)).to.deep.include({ count: 1 });
      });

      it('writes nothing, checkpoint included, when a projection fails part-way through a batch', async () => {
        const exploding: Projection<Counter> = {
          ...projection,
          handles: [...projection.handles, 'ExplodingEvent'],
          documents: (event) => (event.type === 'ExplodingEvent' ? { ids: [objectId()], workspaceId } : projection.documents(event)),
        };
        const a = objectId();
        await readModel.apply([exploding], [increment(60n, a)]);
        let failed = false;
        try {
          await readModel.apply([exploding], [increment(61n, a), recorded(62n, 'ExplodingEvent', {}, workspaceId), increment(63n, a)]);
        } catch {
          failed = true;
        }
        expect(failed, 'apply should reject when a projection throws').to.equal(true);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.include({ count: 1, last: 'at 60' });
        expect(await readModel.checkpoint(exploding.name)).to.equal(60n);
      });

      it('deletes the document when evolve returns null', async () => {
        const a = objectId();
        const b = objectId();
        await readModel.apply([projection], [increment(70n, a), increment(71n, b)]);
        await readModel.apply([projection], [recorded(72n, 'CounterRemoved', { counterId: a, workspaceId }, workspaceId)]);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.equal(null);
        expect(await readModel.find(counterCollection, workspaceId, b)).to.not.equal(null);
        expect(await readModel.findMany(counterCollection, workspaceId, [a, b])).to.have.length(1);
        expect(await readModel.checkpoint(projection.name)).to.equal(72n);
      });

      it('re-creates a deleted document from a later event', async () => {
        const a = objectId();
        await readModel.apply(
          [projection],
          [increment(80n, a), recorded(81n, 'CounterRemoved', { counterId: a, workspaceId }, workspaceId), increment(82n, a)],
        );
        expect(await readModel.find(counterCollection, workspaceId, a)).to.deep.include({ count: 1, last: 'at 82' });
      });

      it('does nothing for an empty batch', async () => {
        await readModel.apply([projection], []);
        expect(await readModel.checkpoint(projection.name)).to.equal(null);
      });

      it('keeps documents that contain Unicode, nulls, nested arrays and numbers intact (a real projection)', async () => {
        const sessions = { ...sessionView, name: `contract_sessions_${suffix()}` } as Projection;
        const sessionId = objectId();
        const clientId = objectId();
        const created: SessionCreated = {
          type: 'SessionCreated',
          data: {
            sessionId,
            workspaceId,
            requested: {
              name: 'Consultation Session',
              clientId,
              serviceIds: ['a'.repeat(24), 'b'.repeat(24)],
              staffId: null,
              date: '2024-01-20T10:00:00Z',
              startTime: '10:00',
              durationMinutes: null,
              status: 'scheduled',
              fieldValues: [{ fieldKey: 'weight', value: 72.5, phase: 'pre' }],
            },
            client: { id: clientId, name: 'John Doe' },
            services: [
              { id: 'a'.repeat(24), name: 'استشارة طبية', durationMinutes: 30 },
              { id: 'b'.repeat(24), name: 'فحص عام', durationMinutes: 60 },
            ],
            staff: null,
            timeZone: 'UTC',
            startAt: '2024-01-20T10:00:00.000Z',
            endAt: '2024-01-20T11:30:00.000Z',
            date: '2024-01-20T00:00:00.000Z',
            startTime: '10:00',
            endTime: '11:30',
            durationMinutes: 90,
            durationSource: 'services',
            summedServiceDurations: [30, 60],
            status: 'scheduled',
            fieldValues: [
              { fieldKey: 'weight', value: 72.5, phase: 'pre' },
              { fieldKey: 'note', value: null, phase: 'pre' },
              { fieldKey: 'first', value: true, phase: 'pre' },
            ],
          },
          metadata: metadata(workspaceId, '2024-01-15T10:00:00.123Z'),
        };
        const event: StoredEvent = { streamId: `session-${sessionId}`, revision: 0n, position: 5n, ...created };
        await readModel.apply([sessions], [event]);
        const doc = await readModel.find('sessions', workspaceId, sessionId);
        expect(doc).to.deep.equal(sessionView.evolve(null, event, sessionId));
        expect(doc).to.deep.include({
          serviceNames: ['استشارة طبية', 'فحص عام'],
          staffId: null,
          invoice: null,
          createdAt: '2024-01-15T10:00:00.123Z',
        });
        expect(await readModel.find('sessions', otherWorkspace, sessionId)).to.equal(null);
      });

      it('applies several real projections in one write, each to its own collection', async () => {
        const workspaces = { ...workspaceView, name: `contract_workspaces_${suffix()}` } as Projection;
        const sessions = { ...sessionView, name: `contract_sessions_${suffix()}` } as Projection;
        const created: StoredEvent = {
          streamId: `workspace-${workspaceId}`,
          revision: 0n,
          position: 9n,
          type: 'WorkspaceCreated',
          data: { workspaceId, name: 'عيادة', timeZone: 'Asia/Riyadh' },
          metadata: metadata(workspaceId),
        };
        await readModel.apply([workspaces, sessions], [created]);
        expect(await readModel.find('workspaces', workspaceId, workspaceId)).to.deep.include({ name: 'عيادة', timeZone: 'Asia/Riyadh' });
        expect(await readModel.checkpoint(workspaces.name)).to.equal(9n);
        expect(await readModel.checkpoint(sessions.name)).to.equal(9n);
      });
    });

    describe('find and findMany', () => {
      it('finds a document only in its own workspace', async () => {
        const a = objectId();
        await readModel.apply([projection], [increment(1n, a)]);
        expect(await readModel.find(counterCollection, workspaceId, a)).to.not.equal(null);
        expect(await readModel.find(counterCollection, otherWorkspace, a)).to.equal(null);
        expect(await readModel.findMany(counterCollection, otherWorkspace, [a])).to.deep.equal([]);
      });

      it('returns null for an id that does not exist', async () => {
        expect(await readModel.find(counterCollection, workspaceId, objectId())).to.equal(null);
      });

      it('returns the existing documents of the workspace and skips missing or foreign ids', async () => {
        const a = objectId();
        const b = objectId();
        const foreign = objectId();
        await readModel.apply([projection], [increment(1n, a), increment(2n, b), increment(3n, foreign, otherWorkspace)]);
        const found = await readModel.findMany(counterCollection, workspaceId, [a, objectId(), b, foreign]);
        expect(found.map((d) => d.id).sort()).to.deep.equal([a, b].sort());
        expect(found.every((d) => d.workspaceId === workspaceId)).to.equal(true);
      });

      it('returns each document once when an id is asked twice, and nothing for no ids', async () => {
        const a = objectId();
        await readModel.apply([projection], [increment(1n, a)]);
        expect(await readModel.findMany(counterCollection, workspaceId, [a, a])).to.have.length(1);
        expect(await readModel.findMany(counterCollection, workspaceId, [])).to.deep.equal([]);
      });
    });

    readModelQueryContract(() => readModel);
    multiDocumentContract(() => readModel);

    describe('checkpoint', () => {
      it('is null for a projection that has applied nothing', async () => {
        expect(await readModel.checkpoint(`contract_never_${suffix()}`)).to.equal(null);
      });
    });

    describe('ping', () => {
      it('answers while the store is open', async () => {
        await readModel.ping();
      });
    });
  });
};

/**
 * A read model whose checkpoints lie beyond the end of the event log (the log wiped, the read
 * models kept) is refused at start with an error saying what happened, instead of a projector
 * that silently skips every event up to the old position. Real stores: a SQLite log and a SQLite
 * read model standing in for MongoDB (the check is written on the ports).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { allProjections } from '../../src/projections/index.js';
import type { StoredEvent } from '../../src/stores/eventStore.js';
import {
  assertCheckpointsWithinLog,
  CheckpointBeyondLogError,
  checkCheckpointWithinLog,
} from '../../src/stores/kurrentdb/checkpointGuard.js';
import { SqliteStore } from '../../src/stores/sqlite/sqliteStore.js';

const workspaceId = 'a'.repeat(24);
const workspaceCreated = (): { type: string; data: unknown; metadata: StoredEvent['metadata'] } => ({
  type: 'WorkspaceCreated',
  data: { workspaceId, name: 'Clinic', timeZone: 'UTC' },
  metadata: {
    eventId: randomUUID(),
    occurredAt: '2024-01-15T10:00:00.000Z',
    actor: { userId: 'u' },
    workspaceId,
    requestId: 'r',
    correlationId: 'c',
    schemaVersion: 1,
  },
});

describe('a read-model checkpoint beyond the end of the event log', () => {
  let dir: string;
  let log: SqliteStore;
  let readModel: SqliteStore;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sessions-guard-'));
    log = new SqliteStore({ path: path.join(dir, 'log.db') });
    readModel = new SqliteStore({ path: path.join(dir, 'read.db') });
  });
  afterEach(async () => {
    await Promise.all([log.close(), readModel.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const projectThree = async (): Promise<void> => {
    // Three events projected from an old log: the read model's checkpoints are at 3.
    const old = new SqliteStore({ path: path.join(dir, 'old.db') });
    for (let i = 0; i < 3; i += 1) await old.append(`workspace-${randomUUID()}`, [workspaceCreated()], 'no_stream');
    const events: StoredEvent[] = [];
    for await (const event of old.readAll()) events.push(event);
    await readModel.apply(allProjections, events);
    await old.close();
  };

  it('is refused at start when the log is empty, naming the projection and what to do', async () => {
    await projectThree();
    let caught: unknown;
    try {
      await assertCheckpointsWithinLog(log, readModel, allProjections);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(CheckpointBeyondLogError);
    const error = caught as CheckpointBeyondLogError;
    expect(error.checkpoint).to.equal(3n);
    expect(error.head).to.equal(null);
    expect(error.message).to.include('projection ').and.include('checkpoint 3 is beyond the end of the event log (the log is empty)');
    expect(error.message).to.include('npm run rebuild');
  });

  it('is refused at start when the log is shorter than the checkpoint', async () => {
    await projectThree();
    await log.append(`workspace-${randomUUID()}`, [workspaceCreated()], 'no_stream');
    let caught: unknown;
    try {
      await assertCheckpointsWithinLog(log, readModel, allProjections);
    } catch (error) {
      caught = error;
    }
    expect(caught).to.be.instanceOf(CheckpointBeyondLogError);
    expect((caught as CheckpointBeyondLogError).head).to.equal(1n);
  });

  it('passes when the checkpoints are within the log, or when nothing has been projected', async () => {
    await assertCheckpointsWithinLog(log, readModel, allProjections);
    await projectThree();
    for (let i = 0; i < 3; i += 1) await log.append(`workspace-${randomUUID()}`, [workspaceCreated()], 'no_stream');
    await assertCheckpointsWithinLog(log, readModel, allProjections);
  });

  it('is checked by the subscription too: only a checkpoint past the last position fails', () => {
    expect(() => {
      checkCheckpointWithinLog(undefined, null);
    }).to.not.throw();
    expect(() => {
      checkCheckpointWithinLog(10n, 10n);
    }).to.not.throw();
    expect(() => {
      checkCheckpointWithinLog(11n, 10n);
    }).to.throw(CheckpointBeyondLogError, /checkpoint 11 is beyond the end of the event log \(last position 10\)/);
    expect(() => {
      checkCheckpointWithinLog(1n, null);
    }).to.throw(CheckpointBeyondLogError);
  });
});

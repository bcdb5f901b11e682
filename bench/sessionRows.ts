/**
 * Generates the rows of N SessionCreated events (decided by the real decider against the bench
 * catalog) and their session documents (the real projection), as the strings the store writes.
 * Runs in a worker thread (./fillWorker.ts) so that the writer only writes.
 */
import { randomUUID } from 'node:crypto';
import { ObjectId } from 'bson';
import { decideCreateSession, type CreateSessionInput } from '../src/commands/createSession.js';
import type { CatalogState } from '../src/commands/catalogState.js';
import { systemIds } from '../src/commands/deps.js';
import { sessionStream } from '../src/events/streams.js';
import { sessionMinutes, sessionView } from '../src/projections/sessionView.js';
import { sessionBody, type BenchCatalog } from './workload.js';

export interface SessionRows {
  /**
   * Per session: stream id, event id, event type, schema version, data JSON, metadata JSON,
   * document id, document JSON, and how long it lasts in minutes (what the view's bounds count).
   */
  rows: string[][];
}

export interface CatalogEntries {
  workspace: { id: string; timeZone: string };
  clients: { id: string; workspaceId: string; name: string }[];
  services: { id: string; workspaceId: string; name: string; scope: string; durationMinutes: number | null }[];
  staff: { id: string; workspaceId: string; name: string }[];
}

export const catalogState = (entries: CatalogEntries): CatalogState => ({
  workspaces: new Map([[entries.workspace.id, entries.workspace]]),
  clients: new Map(entries.clients.map((c) => [c.id, { ...c, archived: false }])),
  services: new Map(entries.services.map((s) => [s.id, { ...s, archived: false }])),
  staff: new Map(entries.staff.map((s) => [s.id, { ...s, archived: false }])),
});

const normalize = (catalog: BenchCatalog, n: number): CreateSessionInput => {
  const body = sessionBody(catalog, n);
  return {
    name: body.name,
    clientId: body.clientId,
    serviceIds: body.serviceIds,
    staffId: body.staffId ?? null,
    date: body.date,
    startTime: body.startTime,
    durationMinutes: body.durationMinutes ?? null,
    status: body.status ?? 'scheduled',
    fieldValues: (body.fieldValues ?? []).map((f) => ({ fieldKey: f.fieldKey, value: f.value, phase: f.phase ?? 'pre' })),
  };
};

export const sessionRows = (catalog: BenchCatalog, state: CatalogState, first: number, count: number, occurredAt: string): string[][] => {
  const { workspaceId } = catalog;
  const rows: string[][] = [];
  for (let i = 0; i < count; i++) {
    const n = 1_000_000_000 + first + i;
    const sessionId = new ObjectId().toHexString();
    const requestId = randomUUID();
    const [event] = decideCreateSession(
      {
        type: 'CreateSession',
        data: { ...normalize(catalog, n), sessionId, workspaceId },
        metadata: {
          eventId: systemIds.uuid(),
          occurredAt,
          actor: { userId: `bench-user-${n % 10}`, name: `Reception ${n % 10}` },
          workspaceId,
          requestId,
          correlationId: requestId,
          schemaVersion: 0,
        },
      },
      state,
    );
    const streamId = sessionStream(sessionId);
    // The document does not depend on the position, so it can be made before the row has one.
    const doc = sessionView.evolve(null, { ...event!, streamId, revision: 0n, position: 0n }, sessionId);
    rows.push([
      streamId,
      event!.metadata.eventId,
      event!.type,
      String(event!.metadata.schemaVersion),
      JSON.stringify(event!.data),
      JSON.stringify(event!.metadata),
      sessionId,
      JSON.stringify(doc),
      String(sessionMinutes(event!.data)),
    ]);
  }
  return rows;
};

/**
 * The JSON work of a parallel rebuild, for one range of the log: read the events, parse, upcast,
 * and for every projection and every document the event names, its key and, speculatively,
 * `evolve(null, event)` serialized to UTF-8: the document as if it did not exist yet. The applying
 * thread uses it only when the document indeed does not exist, and applies the event itself
 * otherwise; projections are pure, so the speculative document is exactly what it would have
 * computed. Runs in worker threads (./rebuildWorker.ts).
 */
import type Database from 'better-sqlite3';
import type { EventMetadata } from '../../events/envelope.js';
import type { ProjectionRegistry } from '../../projections/ports.js';
import type { Projection } from '../../projections/projection.js';
import type { StoredEvent } from '../eventStore.js';

export interface RangeSetup {
  /** Projection names, in the applying thread's slot order. */
  projections: string[];
  /** Only these event types (empty: all). */
  types: string[];
  /** Workspace id → time zone, for upcasting. */
  timeZones: Record<string, string>;
}

export interface RangeRequest {
  seq: number;
  /** Positions after `lo`, up to and including `hi`. */
  lo: number;
  hi: number;
}

/**
 * How a touch's speculative document came out: `document`, its JSON is in the buffer; `none`,
 * evolve(null, event) returned null; `failed`, it threw, and the applying thread applies the event.
 */
export const Speculation = { document: 0, none: 1, failed: 2 } as const;

/** Fields per touch in `touches`: position, slot, id, workspaceId, speculation, offset, length. */
export const touchWidth = 7;

/** The id of a touch whose documents the applying thread selects itself (a `where` selector). */
export const selectedElsewhere = '';

export interface ComputedRange {
  seq: number;
  /** The range covers the log up to here. */
  hi: number;
  /** Events in the range that projections apply. */
  applied: number;
  /** Positions of events this release cannot project (the applying thread reports them). */
  skipped: number[];
  /** Flat list of touches, `touchWidth` fields each, in position order. */
  touches: (number | string)[];
  /** The speculative documents, UTF-8, at the touches' offsets. */
  buffer: ArrayBuffer;
}

export type RangeReply = ComputedRange | { seq: number; error: string };

/** An event row read in raw mode: position, stream_id, revision, type, data, metadata (arrays are cheaper than objects). */
export type EventRow = [number, string, number, string, string, string];
type Row = EventRow;

export const eventFromRow = (row: EventRow): StoredEvent => ({
  streamId: row[1],
  revision: BigInt(row[2]),
  position: BigInt(row[0]),
  type: row[3],
  data: JSON.parse(row[4]) as unknown,
  metadata: JSON.parse(row[5]) as EventMetadata,
});

/**
 * A function computing ranges of the log in `db` (a worker's own connection), with the
 * registry's projections (looked up by name) and its rule for what they see of an event.
 */
export const rangeComputer = (
  db: Database.Database,
  setup: RangeSetup,
  registry: ProjectionRegistry,
): ((request: RangeRequest) => ComputedRange) => {
  const onlyTypes = setup.types.length > 0 ? ` AND type IN (${setup.types.map(() => '?').join(', ')})` : '';
  const read = db
    .prepare(
      `SELECT position, stream_id, revision, type, data, metadata FROM events WHERE position > ? AND position <= ?${onlyTypes} ORDER BY position`,
    )
    .raw(true);
  const prepare = registry.preparer(setup.timeZones);
  const byType = new Map<string, [number, Projection][]>();
  setup.projections.forEach((name, slot) => {
    const projection = registry.projections.find((p) => p.name === name);
    if (!projection) throw new Error(`unknown projection ${name}`);
    for (const type of projection.handles) byType.set(type, [...(byType.get(type) ?? []), [slot, projection]]);
  });
  const encoder = new TextEncoder();

  return (request) => {
    const rows = read.all(request.lo, request.hi, ...setup.types) as Row[];
    let buffer = new Uint8Array(Math.max(64 * 1024, rows.length * 1024));
    let offset = 0;
    const touches: (number | string)[] = [];
    const skipped: number[] = [];
    let applied = 0;
    for (const row of rows) {
      const event = prepare(eventFromRow(row));
      if (event === null) {
        skipped.push(row[0]);
        continue;
      }
      applied += 1;
      for (const [slot, projection] of byType.get(event.type) ?? []) {
        const selector = projection.documents(event);
        // Documents found by a query are for the applying thread to find.
        if (!('ids' in selector)) {
          touches.push(row[0], slot, selectedElsewhere, selector.workspaceId, Speculation.failed, offset, 0);
          continue;
        }
        const workspaceId = selector.workspaceId;
        // One touch per document (an id named twice is still one document, evolved once).
        for (const id of selector.ids.length === 1 ? selector.ids : new Set(selector.ids)) {
          let speculation: number;
          let length = 0;
          try {
            const doc = projection.evolve(null, event, id);
            if (doc === null) {
              speculation = Speculation.none;
            } else {
              const json = JSON.stringify(doc);
              // UTF-8 takes at most 3 bytes per UTF-16 code unit.
              if (buffer.length - offset < json.length * 3) {
                const grown = new Uint8Array(Math.max(buffer.length * 2, offset + json.length * 3));
                grown.set(buffer.subarray(0, offset));
                buffer = grown;
              }
              length = encoder.encodeInto(json, buffer.subarray(offset)).written;
              speculation = Speculation.document;
            }
          } catch {
            speculation = Speculation.failed;
          }
          touches.push(row[0], slot, id, workspaceId, speculation, offset, length);
          offset += length;
        }
      }
    }
    return { seq: request.seq, hi: request.hi, applied, skipped, touches, buffer: buffer.buffer };
  };
};

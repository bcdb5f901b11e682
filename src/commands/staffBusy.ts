/**
 * A staff member's occupied intervals, read from the same streams the booking decisions hold
 * consistent (their UTC days), so what it shows is exactly what a booking would be refused for.
 */
import { staffDayStream } from '../events/streams.js';
import type { EventStore } from '../stores/eventStore.js';
import { activeClaims, type Busy } from './staffTime.js';

export const maxBusyRangeDays = 62;

const dayMs = 86_400_000;

/** Intervals overlapping [from, to), by start then session id: one stream read per UTC day (a session claims every day it touches). */
export const staffBusy = async (events: EventStore, workspaceId: string, staffId: string, from: string, to: string): Promise<Busy[]> => {
  const first = Math.floor(Date.parse(from) / dayMs);
  const last = Math.floor((Date.parse(to) - 1) / dayMs);
  const days: string[] = [];
  for (let d = first; d <= last; d += 1) days.push(new Date(d * dayMs).toISOString().slice(0, 10));
  const found = new Map<string, Busy>();
  const streams = await Promise.all(days.map((day) => events.readStream(staffDayStream(workspaceId, staffId, day))));
  for (const stream of streams) {
    for (const busy of activeClaims(stream).values()) {
      if (Date.parse(busy.startAt) < Date.parse(to) && Date.parse(from) < Date.parse(busy.endAt)) found.set(busy.sessionId, busy);
    }
  }
  return [...found.values()].sort((a, b) => a.startAt.localeCompare(b.startAt) || a.sessionId.localeCompare(b.sessionId));
};

/**
 * A deterministic log for the items projection (test/contracts/itemsProjection.ts): creations and
 * changes of items in two workspaces, deletions, events naming several ids (some missing), group
 * renames (a `where` on a scalar index) and tag renames and drops (a `where` on a multi index).
 * The same `tag` gives the same events, ids included.
 */
import type { EventToAppend } from '../../src/stores/eventStore.js';
import { itemEventTypes } from '../contracts/itemsProjection.js';

/** mulberry32: a small seeded generator, so the log is the same on every run. */
const random = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const workspaces = ['64a000000000000000000001', '64a000000000000000000002'];

export const itemsLog = (count: number, tag = 'log'): (EventToAppend & { streamId: string })[] => {
  let seed = 2166136261; // FNV-1a over the tag's UTF-16 code units
  for (let i = 0; i < tag.length; i += 1) seed = Math.imul(seed ^ tag.charCodeAt(i), 16777619);
  const next = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const itemIds = (workspace: number) => Array.from({ length: 14 }, (_, i) => `${workspace}item${String(i).padStart(19, '0')}`);
  const log: (EventToAppend & { streamId: string })[] = [];
  for (let n = 0; n < count; n += 1) {
    const w = n % 2;
    const workspaceId = workspaces[w]!;
    const metadata = {
      eventId: `${tag}-${n}`,
      occurredAt: '2024-02-01T00:00:00.000Z',
      actor: { userId: 'log' },
      workspaceId,
      requestId: `${tag}-r${n}`,
      correlationId: `${tag}-c${n}`,
      schemaVersion: 1,
    };
    const roll = next();
    // The first events of each workspace create items, so that later selectors find documents.
    const kind =
      n < 30 || roll < 0.38
        ? 'put'
        : roll < 0.46
          ? 'removed'
          : roll < 0.62
            ? 'touched'
            : roll < 0.74
              ? 'groupRenamed'
              : roll < 0.9
                ? 'tagRenamed'
                : 'tagDropped';
    if (kind === 'put') {
      const itemId = pick(itemIds(w));
      const tags = [...new Set(Array.from({ length: Math.floor(next() * 4) }, () => `t${Math.floor(next() * 6)}`))];
      const data = {
        itemId,
        workspaceId,
        groupId: `g${Math.floor(next() * 4)}`,
        groupName: `group ${n}`,
        rank: next() < 0.1 ? null : Math.floor(next() * 10),
        status: pick(['open', 'closed', 'void']),
        label: `${tag} label ${n} — عنوان`,
        tags: tags.map((id) => ({ id, name: `${id} as of ${n}` })),
      };
      log.push({ streamId: `item-${itemId}`, type: itemEventTypes.put, data, metadata });
    } else if (kind === 'removed') {
      const itemId = pick(itemIds(w));
      log.push({ streamId: `item-${itemId}`, type: itemEventTypes.removed, data: { itemId, workspaceId }, metadata });
    } else if (kind === 'touched') {
      const ids = [...new Set(Array.from({ length: 1 + Math.floor(next() * 4) }, () => pick(itemIds(w))))];
      log.push({ streamId: `touch-${tag}-${n}`, type: itemEventTypes.touched, data: { itemIds: ids, workspaceId }, metadata });
    } else if (kind === 'groupRenamed') {
      const groupId = `g${Math.floor(next() * 4)}`;
      log.push({
        streamId: `group-${w}-${groupId}`,
        type: itemEventTypes.groupRenamed,
        data: { groupId, workspaceId, name: `renamed ${tag} ${n}` },
        metadata,
      });
    } else {
      const tagId = `t${Math.floor(next() * 6)}`;
      const data = kind === 'tagRenamed' ? { tagId, workspaceId, name: `renamed ${tag} ${n}` } : { tagId, workspaceId };
      log.push({
        streamId: `tag-${w}-${tagId}`,
        type: kind === 'tagRenamed' ? itemEventTypes.tagRenamed : itemEventTypes.tagDropped,
        data,
        metadata,
      });
    }
  }
  return log;
};

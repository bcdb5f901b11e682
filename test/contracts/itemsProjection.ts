/**
 * A test projection with everything the read-model port offers: declared indexes (scalar and
 * `multi`), events that touch one document, several ids, or every document a `where` finds through
 * a scalar index (a group rename) or a multi index (a tag rename: every item whose tagIds contains
 * the tag). Used by the read-model contract and by the SQLite inline / apply / rebuild comparison.
 * Pure and deterministic, like every projection.
 */
import type { EventMetadata } from '../../src/events/envelope.js';
import type { Document, IndexSpec, Projection, StoredEvent } from '../../src/projections/projection.js';

export const itemsCollection = 'contract_items';

export interface Item extends Document {
  groupId: string;
  groupName: string;
  rank: number | null;
  status: string;
  label: string;
  tagIds: string[];
  tagNames: string[];
  touches: number;
}

export const itemIndexes: readonly IndexSpec[] = [
  { name: 'by_rank', fields: ['rank'] },
  { name: 'by_group_rank', fields: ['groupId', 'rank'] },
  { name: 'by_status_label', fields: ['status', 'label'] },
  { name: 'by_tag', fields: ['tagIds'], multi: true },
];

export interface ItemPut {
  itemId: string;
  workspaceId: string;
  groupId: string;
  groupName: string;
  rank: number | null;
  status: string;
  label: string;
  tags: { id: string; name: string }[];
}

export const itemEventTypes = {
  put: 'ContractItemPut',
  removed: 'ContractItemRemoved',
  touched: 'ContractItemsTouched',
  groupRenamed: 'ContractGroupRenamed',
  tagRenamed: 'ContractTagRenamed',
  tagDropped: 'ContractTagDropped',
} as const;

type ItemEventData =
  | ({ type: typeof itemEventTypes.put } & ItemPut)
  | { type: typeof itemEventTypes.removed; itemId: string; workspaceId: string }
  | { type: typeof itemEventTypes.touched; itemIds: string[]; workspaceId: string }
  | { type: typeof itemEventTypes.groupRenamed; groupId: string; workspaceId: string; name: string }
  | { type: typeof itemEventTypes.tagRenamed; tagId: string; workspaceId: string; name: string }
  | { type: typeof itemEventTypes.tagDropped; tagId: string; workspaceId: string };

const read = (event: StoredEvent): ItemEventData => ({ type: event.type, ...(event.data as object) }) as ItemEventData;

export const itemsProjection = (name: string): Projection<Item> => ({
  name,
  collection: itemsCollection,
  handles: Object.values(itemEventTypes),
  indexes: itemIndexes,
  documents: (event) => {
    const e = read(event);
    switch (e.type) {
      case itemEventTypes.put:
      case itemEventTypes.removed:
        return { workspaceId: e.workspaceId, ids: [e.itemId] };
      case itemEventTypes.touched:
        return { workspaceId: e.workspaceId, ids: e.itemIds };
      case itemEventTypes.groupRenamed:
        return { workspaceId: e.workspaceId, where: { field: 'groupId', equals: e.groupId } };
      case itemEventTypes.tagRenamed:
      case itemEventTypes.tagDropped:
        return { workspaceId: e.workspaceId, where: { field: 'tagIds', equals: e.tagId } };
    }
  },
  evolve: (current, event) => {
    const e = read(event);
    switch (e.type) {
      case itemEventTypes.put:
        return {
          id: e.itemId,
          workspaceId: e.workspaceId,
          groupId: e.groupId,
          groupName: e.groupName,
          rank: e.rank,
          status: e.status,
          label: e.label,
          tagIds: e.tags.map((t) => t.id),
          tagNames: e.tags.map((t) => t.name),
          touches: current?.touches ?? 0,
        };
      case itemEventTypes.removed:
        return null;
      case itemEventTypes.touched:
        return current && { ...current, touches: current.touches + 1 };
      case itemEventTypes.groupRenamed:
        if (!current) throw new Error('a where selector never evolves a missing document');
        return { ...current, groupName: e.name };
      case itemEventTypes.tagRenamed:
        if (!current) throw new Error('a where selector never evolves a missing document');
        return { ...current, tagNames: current.tagIds.map((id, i) => (id === e.tagId ? e.name : current.tagNames[i]!)) };
      case itemEventTypes.tagDropped: {
        if (!current) throw new Error('a where selector never evolves a missing document');
        const keep = current.tagIds.map((id, i) => [id, current.tagNames[i]!] as const).filter(([id]) => id !== e.tagId);
        return { ...current, tagIds: keep.map(([id]) => id), tagNames: keep.map(([, n]) => n) };
      }
    }
  },
});

/** An id as part of a stream name (tag ids are strings or numbers). */
const streamKey = (id: unknown): string | undefined => (typeof id === 'string' || typeof id === 'number' ? String(id) : undefined);

/** A recorded event of this projection at a position the caller chooses (each test owns its projection's checkpoint). */
export const itemEvent = (
  position: bigint,
  type: string,
  data: Record<string, unknown> & { workspaceId: string },
  eventId = `e-${position}-${type}`,
): StoredEvent => ({
  streamId: `contract-item-${streamKey(data.itemId) ?? streamKey(data.groupId) ?? streamKey(data.tagId) ?? 'many'}`,
  revision: 0n,
  position,
  type,
  data,
  metadata: {
    eventId,
    occurredAt: '2024-01-15T10:00:00.000Z',
    actor: { userId: 'contract-user' },
    workspaceId: data.workspaceId,
    requestId: 'req',
    correlationId: 'corr',
    schemaVersion: 1,
  } satisfies EventMetadata,
});

/** What the catalog views share: every event of an entry's stream moves its version and updatedAt; the list indexes. */
import type { DomainEventType } from '../events/index.js';
import type { EventHandler, RecordedOf } from './defineProjection.js';
import { byId, type Document, type IndexSpec } from './projection.js';

export const catalogChange =
  <D extends Document>(idField: 'clientId' | 'serviceId' | 'staffId' | 'workspaceId') =>
  <T extends DomainEventType>(apply: (current: D, event: RecordedOf<T>) => Partial<D>): EventHandler<D, T> => ({
    documents: (event) => {
      const data = event.data as unknown as Partial<Record<typeof idField, string>> & { workspaceId: string };
      const id = data[idField];
      // Every event of an entry's stream names the entry.
      if (id === undefined) throw new Error(`${event.type} names no ${idField}`);
      return byId(data.workspaceId, id);
    },
    evolve: (current, event) =>
      current === null
        ? null
        : { ...current, ...apply(current, event), version: Number(event.revision) + 1, updatedAt: event.metadata.occurredAt },
  });

/** The lists: by name (all, or only the active ones), in the collation order nameSort gives. */
export const catalogIndexes: readonly IndexSpec[] = [
  { name: 'by_name', fields: ['nameSort'] },
  { name: 'by_archived_name', fields: ['archived', 'nameSort'] },
];

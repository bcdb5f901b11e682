/**
 * A view declared as one handler per event type: which documents the event touches and how each
 * changes. `handles` is derived from the handlers, and an event's data arrives typed, so a view
 * is its handlers and nothing else.
 */
import type { DomainEvent, DomainEventType } from '../events/index.js';
import type { Recorded } from '../events/envelope.js';
import type { Document, DocumentSelector, IndexSpec, Projection } from './projection.js';

export type RecordedOf<T extends DomainEventType> = Recorded<Extract<DomainEvent, { type: T }>>;

export interface EventHandler<D extends Document, T extends DomainEventType> {
  documents(event: RecordedOf<T>): DocumentSelector;
  evolve(current: D | null, event: RecordedOf<T>): D | null;
}

export type EventHandlers<D extends Document> = { [T in DomainEventType]?: EventHandler<D, T> };

export interface ViewDefinition<D extends Document> {
  name: string;
  collection: string;
  indexes?: readonly IndexSpec[];
  on: EventHandlers<D>;
}

export const defineProjection = <D extends Document>(definition: ViewDefinition<D>): Projection<D> => {
  const handlerOf = (type: string): EventHandler<D, DomainEventType> | undefined =>
    (definition.on as Record<string, EventHandler<D, DomainEventType> | undefined>)[type];
  return {
    name: definition.name,
    collection: definition.collection,
    handles: Object.keys(definition.on),
    ...(definition.indexes ? { indexes: definition.indexes } : {}),
    documents: (event) => {
      const handler = handlerOf(event.type);
      if (!handler) throw new Error(`${definition.name} projection does not handle ${event.type}`);
      return handler.documents(event as RecordedOf<DomainEventType>);
    },
    evolve: (current, event) => {
      const handler = handlerOf(event.type);
      return handler ? handler.evolve(current, event as RecordedOf<DomainEventType>) : current;
    },
  };
};

/**
 * A view declared as one handler per event type: which documents the event touches and how each
 * changes. `handles` is derived from the handlers, and an event's data arrives typed, so a view
 * is its handlers and nothing else.
 *
 * A view may also keep one document per workspace beside its own (`workspaceDocument`: the
 * sessions view's bounds). It lives in the same collection and is written by the same apply as
 * the documents the same event touches, so it is never behind them, on every adapter and in
 * every rebuild. Its id is `idPrefix` + the workspace id, which the view's own ids never are.
 */
import type { DomainEvent, DomainEventType } from '../events/index.js';
import type { Recorded } from '../events/envelope.js';
import { byId, checkIndexes, type Document, type DocumentSelector, type IndexSpec, type Projection } from './projection.js';

export type RecordedOf<T extends DomainEventType> = Recorded<Extract<DomainEvent, { type: T }>>;

export interface EventHandler<D extends Document, T extends DomainEventType> {
  documents(event: RecordedOf<T>): DocumentSelector;
  evolve(current: D | null, event: RecordedOf<T>): D | null;
}

export type EventHandlers<D extends Document> = { [T in DomainEventType]?: EventHandler<D, T> };

export interface WorkspaceDocument<S extends Document> {
  /** Not a prefix of any id of the view's own documents. */
  readonly idPrefix: string;
  /**
   * How the events that change it do: each is applied to the workspace's document as well as to
   * those the view's own handler names (which must name ids, not a `where`).
   */
  readonly on: { [T in DomainEventType]?: (current: S | null, event: RecordedOf<T>) => S | null };
}

export interface ViewDefinition<D extends Document, S extends Document = never> {
  name: string;
  collection: string;
  indexes?: readonly IndexSpec[];
  on: EventHandlers<D>;
  workspaceDocument?: WorkspaceDocument<S>;
}

/** Every event names its workspace (`data.workspaceId`). */
const workspaceOf = (event: RecordedOf<DomainEventType>): string => event.data.workspaceId;

export const defineProjection = <D extends Document, S extends Document = never>(definition: ViewDefinition<D, S>): Projection<D | S> => {
  // A declaration no adapter could serve fails here, when the view's module loads.
  checkIndexes(definition);
  const handlerOf = (type: string): EventHandler<D, DomainEventType> | undefined =>
    (definition.on as Record<string, EventHandler<D, DomainEventType> | undefined>)[type];
  const extra = definition.workspaceDocument;
  const extraOf = (type: string): ((current: S | null, event: RecordedOf<DomainEventType>) => S | null) | undefined =>
    (extra?.on as Record<string, ((current: S | null, event: RecordedOf<DomainEventType>) => S | null) | undefined> | undefined)?.[type];
  const extraId = (workspaceDocument: WorkspaceDocument<S>, event: RecordedOf<DomainEventType>): string =>
    `${workspaceDocument.idPrefix}${workspaceOf(event)}`;
  return {
    name: definition.name,
    collection: definition.collection,
    handles: [...new Set([...Object.keys(definition.on), ...Object.keys(extra?.on ?? {})])],
    ...(definition.indexes ? { indexes: definition.indexes } : {}),
    documents: (stored) => {
      const event = stored as RecordedOf<DomainEventType>;
      const own = handlerOf(event.type)?.documents(event);
      if (!extra || extraOf(event.type) === undefined) {
        if (own === undefined) throw new Error(`${definition.name} projection does not handle ${event.type}`);
        return own;
      }
      if (own === undefined) return byId(workspaceOf(event), extraId(extra, event));
      if (!('ids' in own) || own.workspaceId !== workspaceOf(event)) {
        throw new Error(`${definition.name}: ${event.type} must name ids of its own workspace to touch the workspace document too`);
      }
      return { workspaceId: own.workspaceId, ids: [...own.ids, extraId(extra, event)] };
    },
    evolve: (current, stored, id) => {
      const event = stored as RecordedOf<DomainEventType>;
      if (extra && id === extraId(extra, event)) {
        const evolveExtra = extraOf(event.type);
        return evolveExtra ? evolveExtra(current as S | null, event) : current;
      }
      const handler = handlerOf(event.type);
      return handler ? handler.evolve(current as D | null, event) : current;
    },
  };
};

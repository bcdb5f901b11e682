/**
 * The lifecycle every catalog entry (client, service, staff member; the workspace without the
 * archive) shares: created once, changed by a patch, archived and unarchived. Each kind gives
 * its own decisions and how its events change its fields; this module makes them one decider and
 * wires them to the one command path. A create needs the workspace from the catalog (404 when it
 * does not exist); a change needs nothing outside the entry's own stream.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { EventMetadata } from '../events/envelope.js';
import type { EventToAppend } from '../stores/eventStore.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { initialCatalogState, type CatalogState } from './catalogState.js';
import type { Decider } from './decider.js';
import type { AggregateCommand } from './handle.js';
import { loadCatalog } from './loadCatalog.js';

/** null fields: not created yet. */
export interface EntryState<Fields> {
  fields: Fields | null;
  archived: boolean;
  version: number;
}

export interface ChangeEntry<Patch> {
  type: 'ChangeCatalogEntry';
  data: { id: string; workspaceId: string; patch: Patch };
  metadata: EventMetadata;
}

export interface SetEntryArchived {
  type: 'ArchiveCatalogEntry' | 'UnarchiveCatalogEntry';
  data: { id: string; workspaceId: string };
  metadata: EventMetadata;
}

export type EntryCommand<Create, Patch> = Create | ChangeEntry<Patch> | SetEntryArchived;

export interface EntryKind<Create extends { type: string }, Patch, Fields extends { workspaceId: string }, Event extends { type: string }> {
  kind: string;
  /** For messages: "Client 64f… was not found". */
  label: string;
  decideCreate(command: Create, catalog: CatalogState): Event[];
  /** The events a patch causes (none when it changes nothing), against the current fields. */
  decideChange(command: ChangeEntry<Patch>, fields: Fields): Event[];
  /** The archive or unarchive event; absent for kinds that cannot be archived (the workspace). */
  archiveEvent?(archived: boolean, data: SetEntryArchived['data'], metadata: EventMetadata): Event;
  /** Fields after an event: from null for the create event. Archive events leave them alone. */
  evolveFields(fields: Fields | null, event: Event): Fields;
  /** Whether an event archives (true), unarchives (false), or neither (undefined). */
  archives(event: Event): boolean | undefined;
}

export const entryDecider = <
  Create extends { type: string },
  Patch,
  Fields extends { workspaceId: string },
  Event extends { type: string },
>(
  entry: EntryKind<Create, Patch, Fields, Event>,
): Decider<EntryCommand<Create, Patch>, Event, EntryState<Fields>, CatalogState> => ({
  initialState: () => ({ fields: null, archived: false, version: 0 }),
  evolve: (state, event) => {
    const archived = entry.archives(event);
    return archived === undefined
      ? { ...state, fields: entry.evolveFields(state.fields, event), version: state.version + 1 }
      : { ...state, archived, version: state.version + 1 };
  },
  decide: (command, state, catalog) => {
    const type = (command as { type: string }).type;
    if (type === 'ChangeCatalogEntry' || type === 'ArchiveCatalogEntry' || type === 'UnarchiveCatalogEntry') {
      const c = command as ChangeEntry<Patch> | SetEntryArchived;
      // An id from another workspace is as unknown here as one that does not exist.
      if (state.fields?.workspaceId !== c.data.workspaceId) {
        throw new NotFoundError(`${entry.label} ${c.data.id} was not found in this workspace.`);
      }
      if (c.type === 'ChangeCatalogEntry') return entry.decideChange(c, state.fields);
      const archive = c.type === 'ArchiveCatalogEntry';
      if (!entry.archiveEvent) throw new Error(`a ${entry.kind} cannot be archived`);
      // Archiving what is archived (or the reverse) changes nothing: the answer is the entry as it is.
      if (state.archived === archive) return [];
      return [entry.archiveEvent(archive, c.data, c.metadata)];
    }
    if (state.fields !== null) throw new ConflictError(`This ${entry.kind} already exists.`);
    return entry.decideCreate(command as Create, catalog);
  },
});

/**
 * The fields an event after the create changes. Every entry's stream starts with its create event,
 * so null here means a stream out of order, not a state to decide on.
 */
export const createdFields = <Fields>(fields: Fields | null, event: { type: string }): Fields => {
  if (fields === null) throw new Error(`${event.type} before the create event of its entry's stream`);
  return fields;
};

type EntrySpec<Command, Event extends EventToAppend, Fields> = AggregateCommand<Command, Event, EntryState<Fields>, CatalogState>;

export interface CatalogAggregate<Command, Event> {
  kind: string;
  /** For messages: "Client 64f… was not found". */
  label: string;
  stream: (id: string) => string;
  decider: Decider<Command, Event, EntryState<unknown>, CatalogState>;
}

/** A create in a workspace; `readModel` null for the workspace itself (nothing to look up). */
export const catalogCreate = <Command, Event extends EventToAppend, Fields>(
  aggregate: CatalogAggregate<Command, Event>,
  readModel: ReadModelStore | null,
  workspaceId: string | null,
  command: (id: string, metadata: EventMetadata) => Command,
): EntrySpec<Command, Event, Fields> => ({
  kind: aggregate.kind,
  stream: aggregate.stream,
  decider: aggregate.decider as Decider<Command, Event, EntryState<Fields>, CatalogState>,
  workspaceOf: (id) => workspaceId ?? id,
  target: { create: true },
  lookup: async () => (readModel && workspaceId ? loadCatalog(readModel, workspaceId) : loadCatalog(null, null)),
  command,
});

/** A patch, archive or unarchive of an existing entry, decided against its own stream alone. */
export const catalogChange = <Command, Event extends EventToAppend, Fields>(
  aggregate: CatalogAggregate<Command, Event>,
  workspaceId: string,
  id: string,
  command: (id: string, metadata: EventMetadata) => Command,
): EntrySpec<Command, Event, Fields> => ({
  kind: aggregate.kind,
  stream: aggregate.stream,
  decider: aggregate.decider as Decider<Command, Event, EntryState<Fields>, CatalogState>,
  workspaceOf: () => workspaceId,
  target: { create: false, id, label: aggregate.label },
  lookup: async () => initialCatalogState(),
  command,
});

/** The `{ from, to }` of a field a patch names with a new value; undefined when absent or unchanged. */
export const changeOf = <P extends object, T>(patch: P, key: keyof P & string, current: T): { from: T; to: T } | undefined =>
  Object.prototype.hasOwnProperty.call(patch, key) && (patch[key] as unknown) !== current
    ? { from: current, to: patch[key] as T }
    : undefined;

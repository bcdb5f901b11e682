/** The client aggregate: registered once, then renamed, its contact changed, archived and unarchived. */
import { clientArchivedVersion, clientUnarchivedVersion, type ClientEvent } from '../events/client.js';
import { clientStream } from '../events/streams.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { catalogChange, catalogCreate, createdFields, entryDecider, type EntryCommand } from './catalogCommand.js';
import { decideChangeClient, type ClientFields, type ClientPatch } from './changeClient.js';
import { decideRegisterClient, type RegisterClient, type RegisterClientInput } from './registerClient.js';

export type ClientCommand = EntryCommand<RegisterClient, ClientPatch>;

export const clientDecider = entryDecider<RegisterClient, ClientPatch, ClientFields, ClientEvent>({
  kind: 'client',
  label: 'Client',
  decideCreate: decideRegisterClient,
  decideChange: decideChangeClient,
  archiveEvent: (archived, { id, workspaceId }, metadata) =>
    archived
      ? { type: 'ClientArchived', data: { clientId: id, workspaceId }, metadata: { ...metadata, schemaVersion: clientArchivedVersion } }
      : {
          type: 'ClientUnarchived',
          data: { clientId: id, workspaceId },
          metadata: { ...metadata, schemaVersion: clientUnarchivedVersion },
        },
  archives: (event) => (event.type === 'ClientArchived' ? true : event.type === 'ClientUnarchived' ? false : undefined),
  evolveFields: (fields, event) => {
    switch (event.type) {
      case 'ClientRegistered':
        return { workspaceId: event.data.workspaceId, name: event.data.name, email: event.data.email, phone: event.data.phone };
      case 'ClientRenamed':
        return { ...createdFields(fields, event), name: event.data.to };
      case 'ClientContactChanged':
        return {
          ...createdFields(fields, event),
          ...(event.data.email ? { email: event.data.email.to } : {}),
          ...(event.data.phone ? { phone: event.data.phone.to } : {}),
        };
      default:
        return createdFields(fields, event);
    }
  },
});

const client = { kind: 'client', label: 'Client', stream: clientStream, decider: clientDecider as never };

/** The write-path wiring: decided against the workspace, in the new aggregate's own stream. */
export const registerClientSpec = (readModel: ReadModelStore, workspaceId: string, input: RegisterClientInput) =>
  catalogCreate<ClientCommand, ClientEvent, ClientFields>(client, readModel, workspaceId, (clientId, metadata) => ({
    type: 'RegisterClient',
    data: { ...input, clientId, workspaceId },
    metadata,
  }));

export const changeClientSpec = (workspaceId: string, clientId: string, patch: ClientPatch) =>
  catalogChange<ClientCommand, ClientEvent, ClientFields>(client, workspaceId, clientId, (id, metadata) => ({
    type: 'ChangeCatalogEntry',
    data: { id, workspaceId, patch },
    metadata,
  }));

export const setClientArchivedSpec = (workspaceId: string, clientId: string, archived: boolean) =>
  catalogChange<ClientCommand, ClientEvent, ClientFields>(client, workspaceId, clientId, (id, metadata) => ({
    type: archived ? 'ArchiveCatalogEntry' : 'UnarchiveCatalogEntry',
    data: { id, workspaceId },
    metadata,
  }));

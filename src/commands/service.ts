/** The service aggregate: defined once (its scope fixed), then renamed, its duration changed, archived and unarchived. */
import { serviceArchivedVersion, serviceUnarchivedVersion, type ServiceEvent } from '../events/service.js';
import { serviceStream } from '../events/streams.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { catalogChange, catalogCreate, createdFields, entryDecider, type EntryCommand } from './catalogCommand.js';
import { decideChangeService, type ServiceFields, type ServicePatch } from './changeService.js';
import { decideDefineService, type DefineService, type DefineServiceInput } from './defineService.js';

export type ServiceCommand = EntryCommand<DefineService, ServicePatch>;

export const serviceDecider = entryDecider<DefineService, ServicePatch, ServiceFields, ServiceEvent>({
  kind: 'service',
  label: 'Service',
  decideCreate: decideDefineService,
  decideChange: decideChangeService,
  archiveEvent: (archived, { id, workspaceId }, metadata) =>
    archived
      ? { type: 'ServiceArchived', data: { serviceId: id, workspaceId }, metadata: { ...metadata, schemaVersion: serviceArchivedVersion } }
      : {
          type: 'ServiceUnarchived',
          data: { serviceId: id, workspaceId },
          metadata: { ...metadata, schemaVersion: serviceUnarchivedVersion },
        },
  archives: (event) => (event.type === 'ServiceArchived' ? true : event.type === 'ServiceUnarchived' ? false : undefined),
  evolveFields: (fields, event) => {
    switch (event.type) {
      case 'ServiceDefined':
        return {
          workspaceId: event.data.workspaceId,
          name: event.data.name,
          scope: event.data.scope,
          durationMinutes: event.data.durationMinutes,
        };
      case 'ServiceRenamed':
        return { ...createdFields(fields, event), name: event.data.to };
      case 'ServiceDurationChanged':
        return { ...createdFields(fields, event), durationMinutes: event.data.to };
      default:
        return createdFields(fields, event);
    }
  },
});

const service = { kind: 'service', label: 'Service', stream: serviceStream, decider: serviceDecider as never };

/** The write-path wiring: decided against the workspace, in the new aggregate's own stream. */
export const defineServiceSpec = (readModel: ReadModelStore, workspaceId: string, input: DefineServiceInput) =>
  catalogCreate<ServiceCommand, ServiceEvent, ServiceFields>(service, readModel, workspaceId, (serviceId, metadata) => ({
    type: 'DefineService',
    data: { ...input, serviceId, workspaceId },
    metadata,
  }));

export const changeServiceSpec = (workspaceId: string, serviceId: string, patch: ServicePatch) =>
  catalogChange<ServiceCommand, ServiceEvent, ServiceFields>(service, workspaceId, serviceId, (id, metadata) => ({
    type: 'ChangeCatalogEntry',
    data: { id, workspaceId, patch },
    metadata,
  }));

export const setServiceArchivedSpec = (workspaceId: string, serviceId: string, archived: boolean) =>
  catalogChange<ServiceCommand, ServiceEvent, ServiceFields>(service, workspaceId, serviceId, (id, metadata) => ({
    type: archived ? 'ArchiveCatalogEntry' : 'UnarchiveCatalogEntry',
    data: { id, workspaceId },
    metadata,
  }));

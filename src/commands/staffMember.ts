/** The staff member aggregate: added once, then renamed, their email changed, archived and unarchived. */
import { staffMemberArchivedVersion, staffMemberUnarchivedVersion, type StaffEvent } from '../events/staff.js';
import { staffStream } from '../events/streams.js';
import type { ReadModelStore } from '../stores/readModel.js';
import { decideAddStaffMember, type AddStaffMember, type AddStaffMemberInput } from './addStaffMember.js';
import { catalogChange, catalogCreate, createdFields, entryDecider, type EntryCommand } from './catalogCommand.js';
import { decideChangeStaffMember, type StaffFields, type StaffPatch } from './changeStaffMember.js';

export type StaffCommand = EntryCommand<AddStaffMember, StaffPatch>;

export const staffDecider = entryDecider<AddStaffMember, StaffPatch, StaffFields, StaffEvent>({
  kind: 'staff',
  label: 'Staff member',
  decideCreate: decideAddStaffMember,
  decideChange: decideChangeStaffMember,
  archiveEvent: (archived, { id, workspaceId }, metadata) =>
    archived
      ? {
          type: 'StaffMemberArchived',
          data: { staffId: id, workspaceId },
          metadata: { ...metadata, schemaVersion: staffMemberArchivedVersion },
        }
      : {
          type: 'StaffMemberUnarchived',
          data: { staffId: id, workspaceId },
          metadata: { ...metadata, schemaVersion: staffMemberUnarchivedVersion },
        },
  archives: (event) => (event.type === 'StaffMemberArchived' ? true : event.type === 'StaffMemberUnarchived' ? false : undefined),
  evolveFields: (fields, event) => {
    switch (event.type) {
      case 'StaffMemberAdded':
        return { workspaceId: event.data.workspaceId, name: event.data.name, email: event.data.email };
      case 'StaffMemberRenamed':
        return { ...createdFields(fields, event), name: event.data.to };
      case 'StaffMemberContactChanged':
        return { ...createdFields(fields, event), email: event.data.email.to };
      default:
        return createdFields(fields, event);
    }
  },
});

const staff = { kind: 'staff', label: 'Staff member', stream: staffStream, decider: staffDecider as never };

/** The write-path wiring: decided against the workspace, in the new aggregate's own stream. */
export const addStaffMemberSpec = (readModel: ReadModelStore, workspaceId: string, input: AddStaffMemberInput) =>
  catalogCreate<StaffCommand, StaffEvent, StaffFields>(staff, readModel, workspaceId, (staffId, metadata) => ({
    type: 'AddStaffMember',
    data: { ...input, staffId, workspaceId },
    metadata,
  }));

export const changeStaffMemberSpec = (workspaceId: string, staffId: string, patch: StaffPatch) =>
  catalogChange<StaffCommand, StaffEvent, StaffFields>(staff, workspaceId, staffId, (id, metadata) => ({
    type: 'ChangeCatalogEntry',
    data: { id, workspaceId, patch },
    metadata,
  }));

export const setStaffMemberArchivedSpec = (workspaceId: string, staffId: string, archived: boolean) =>
  catalogChange<StaffCommand, StaffEvent, StaffFields>(staff, workspaceId, staffId, (id, metadata) => ({
    type: archived ? 'ArchiveCatalogEntry' : 'UnarchiveCatalogEntry',
    data: { id, workspaceId },
    metadata,
  }));

import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import { workspaceCreatedVersion, type WorkspaceCreated } from '../events/workspace.js';
import { nameField, nameLimit, normalizeName, validate } from './validation.js';

/**
 * The IANA name to store for a time zone, or null when the runtime does not know it. ICU resolves
 * names to its own ids, which are often outdated IANA links (Asia/Kolkata → Asia/Calcutta,
 * Europe/Kyiv → Europe/Kiev), so the caller's name is kept; ICU's spelling only fixes letter case.
 */
export const canonicalTimeZone = (zone: string): string | null => {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
  return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
};

/** The name to store for a zone `timeZoneField` accepted (it checked that the runtime knows it). */
export const acceptedTimeZone = (zone: string): string => {
  const canonical = canonicalTimeZone(zone);
  if (canonical === null) throw new Error(`time zone ${zone} passed timeZoneField, yet the runtime does not know it`);
  return canonical;
};

export const timeZoneField = () =>
  yup
    .string()
    .test('iana-zone', 'must be an IANA time zone name such as Europe/Paris', (v) => v === undefined || canonicalTimeZone(v) !== null);

const schema = yup.object({ name: nameField(), timeZone: timeZoneField() });

export interface CreateWorkspaceInput {
  name: string;
  timeZone: string;
}

export const parseCreateWorkspace = (body: unknown): CreateWorkspaceInput => {
  const valid = validate(schema, body, ['name', 'timeZone'], {
    name: nameLimit,
    timeZone: { maxLength: 100, message: 'must be an IANA time zone name such as Europe/Paris' },
  });
  return { name: normalizeName(valid.name), timeZone: valid.timeZone === undefined ? 'UTC' : acceptedTimeZone(valid.timeZone) };
};

export interface CreateWorkspace {
  type: 'CreateWorkspace';
  data: CreateWorkspaceInput & { workspaceId: string };
  metadata: EventMetadata;
}

export const decideCreateWorkspace = (command: CreateWorkspace): WorkspaceCreated[] => [
  {
    type: 'WorkspaceCreated',
    data: { workspaceId: command.data.workspaceId, name: command.data.name, timeZone: command.data.timeZone },
    metadata: { ...command.metadata, schemaVersion: workspaceCreatedVersion },
  },
];

/**
 * The rules a session's contents follow whether it is being created or edited: which catalog
 * entries it may name (404 when missing from the workspace, 422 when archived or not bookable),
 * how its duration is derived, and where it sits in time. Pure: the catalog arrives as state.
 */
import { BusinessRuleError, NotFoundError, type FieldError } from '../errors.js';
import type { DurationSource, ServiceBooked } from '../events/session.js';
import type { CatalogState } from './catalogState.js';
import { resolveSchedule, type Disambiguation, type Schedule } from './schedule.js';

export const maxDurationMinutes = 1440;
export const defaultDurationMinutes = 60;

export interface NamedEntries {
  client?: { id: string; name: string };
  services?: ServiceBooked[];
  /** null: no staff member. */
  staff?: { id: string; name: string } | null;
}

/**
 * The catalog entries a request names, from the workspace's catalog. Every missing one is listed
 * in one 404, under the request's own field paths; then every archived one in one 422, except the
 * services in `alreadyBooked` (a PATCH may keep what the session already had).
 */
export const findNamedEntries = (
  catalog: CatalogState,
  workspaceId: string,
  names: { clientId?: string; serviceIds?: readonly string[]; staffId?: string | null },
  alreadyBooked: { serviceIds?: readonly string[] } = {},
): NamedEntries & { scopes: string[] } => {
  const inWorkspace = <T extends { workspaceId: string }>(entry: T | undefined): T | undefined =>
    entry && entry.workspaceId === workspaceId ? entry : undefined;
  const missing: FieldError[] = [];
  const client = names.clientId === undefined ? undefined : inWorkspace(catalog.clients.get(names.clientId));
  if (names.clientId !== undefined && !client)
    missing.push({ path: 'clientId', message: `client ${names.clientId} not found in this workspace` });
  const services = (names.serviceIds ?? []).map((id, i) => {
    const service = inWorkspace(catalog.services.get(id));
    if (!service) missing.push({ path: `serviceIds[${i}]`, message: `service ${id} not found in this workspace` });
    return service;
  });
  const staff = names.staffId === undefined || names.staffId === null ? undefined : inWorkspace(catalog.staff.get(names.staffId));
  if (names.staffId !== undefined && names.staffId !== null && !staff) {
    missing.push({ path: 'staffId', message: `staff member ${names.staffId} not found in this workspace` });
  }
  if (missing.length > 0) {
    throw new NotFoundError(`Not found in this workspace: ${missing.map((m) => m.message.split(' not found')[0]).join(', ')}.`, missing);
  }
  const archived: FieldError[] = [];
  if (client?.archived) archived.push({ path: 'clientId', message: `client ${client.id} is archived` });
  services.forEach((service, i) => {
    if (service?.archived && !alreadyBooked.serviceIds?.includes(service.id)) {
      archived.push({ path: `serviceIds[${i}]`, message: `service ${service.id} is archived` });
    }
  });
  if (staff?.archived) archived.push({ path: 'staffId', message: `staff member ${staff.id} is archived` });
  if (archived.length > 0) {
    throw new BusinessRuleError(
      `Archived catalog entries cannot be booked: ${archived.map((a) => a.message.split(' is archived')[0]).join(', ')}.`,
      archived,
    );
  }
  const found = services.filter((s): s is NonNullable<typeof s> => s !== undefined);
  return {
    ...(client ? { client: { id: client.id, name: client.name } } : {}),
    ...(names.serviceIds === undefined
      ? {}
      : { services: found.map((s) => ({ id: s.id, name: s.name, durationMinutes: s.durationMinutes })) }),
    ...(names.staffId === undefined ? {} : { staff: staff ? { id: staff.id, name: staff.name } : null }),
    scopes: found.map((s) => s.scope),
  };
};

/** 422 problems of services that cannot be booked in a session. */
export const unbookableServices = (services: readonly ServiceBooked[], scopes: readonly string[]): FieldError[] =>
  services.flatMap((service, i) =>
    scopes[i] === 'sessions'
      ? []
      : [{ path: `serviceIds[${i}]`, message: `service ${service.id} has scope "${scopes[i]}"; only "sessions" services can be booked` }],
  );

export interface DerivedDuration {
  durationMinutes: number;
  durationSource: DurationSource;
  /** The durations summed (missing ones as 0) when derived from the services or the default. */
  summedServiceDurations: number[];
}

/** The duration asked for, or the services' sum, or the 60-minute default; a problem when over a day. */
export const deriveDuration = (
  requested: number | null,
  services: readonly ServiceBooked[],
): DerivedDuration & { problem?: FieldError } => {
  const summed = services.map((s) => s.durationMinutes ?? 0);
  const total = summed.reduce((a, b) => a + b, 0);
  const [durationMinutes, durationSource]: [number, DurationSource] =
    requested !== null ? [requested, 'request'] : total > 0 ? [total, 'services'] : [defaultDurationMinutes, 'default'];
  const derived = { durationMinutes, durationSource, summedServiceDurations: durationSource === 'request' ? [] : summed };
  if (durationMinutes > maxDurationMinutes) {
    return {
      ...derived,
      problem: {
        path: 'durationMinutes',
        message: `the services add up to ${durationMinutes} minutes; a session lasts at most ${maxDurationMinutes}`,
      },
    };
  }
  return derived;
};

/** The schedule, or the start-time problem (DST gap or overlap) to report with the others. */
export const scheduleOrProblem = (input: {
  localDay: string;
  startTime: string;
  durationMinutes: number;
  timeZone: string;
  disambiguation: Disambiguation | null;
}): { schedule: Schedule } | { problems: FieldError[] } => {
  try {
    return { schedule: resolveSchedule(input) };
  } catch (error) {
    if (error instanceof BusinessRuleError) return { problems: error.errors ?? [] };
    throw error;
  }
};

/** One 422 listing every rule broken, or nothing. */
export const throwIfBroken = (broken: readonly FieldError[], what = 'The session'): void => {
  if (broken.length > 0) {
    throw new BusinessRuleError(`${what} breaks ${broken.length === 1 ? 'a rule' : 'rules'}: ${broken.map((b) => b.message).join('; ')}.`, [
      ...broken,
    ]);
  }
};

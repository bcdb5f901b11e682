/**
 * UpdateSession: a JSON merge patch of a session. The decision emits what actually happened, as
 * separate past-tense events (details, client, services, staff, schedule), or nothing when the
 * patch changes nothing. Each field follows the create rules; what a session's status allows is
 * checked last (409), after the 404/422 rules, as the documented check order has it.
 */
import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import type {
  FieldValue,
  SessionClientChanged,
  SessionDetailsChanged,
  SessionEvent,
  SessionRescheduled,
  SessionServicesChanged,
  SessionStaffReassigned,
  SessionTimes,
} from '../events/session.js';
import type { FieldError } from '../errors.js';
import type { CatalogState } from './catalogState.js';
import { overlapOf, overlapSchemas, sessionFieldLimits, sessionFieldSchemas } from './createSession.js';
import { requireWorkspace } from './requireWorkspace.js';
import { disambiguations, localDayOf, type Disambiguation } from './schedule.js';
import { deriveDuration, findNamedEntries, scheduleOrProblem, throwIfBroken, unbookableServices } from './sessionRules.js';
import { notAllowed, type SessionSnapshot } from './sessionStatus.js';
import { freeTextField, normalizeName, trimmedOrNull, validate } from './validation.js';

export const updateSessionFields = [
  'name',
  'clientId',
  'serviceIds',
  'staffId',
  'date',
  'startTime',
  'durationMinutes',
  'fieldValues',
  'disambiguation',
  'reason',
  'allowOverlap',
  'overlapReason',
] as const;

export const reasonField = () => freeTextField(500).nullable();

const updateSessionSchema = yup.object({
  name: sessionFieldSchemas.name.optional(),
  clientId: sessionFieldSchemas.clientId.optional(),
  serviceIds: sessionFieldSchemas.serviceIds.optional(),
  staffId: sessionFieldSchemas.staffId,
  date: sessionFieldSchemas.date.optional(),
  startTime: sessionFieldSchemas.startTime.optional(),
  durationMinutes: sessionFieldSchemas.durationMinutes.nullable(),
  fieldValues: sessionFieldSchemas.fieldValues,
  disambiguation: yup.string().oneOf([...disambiguations], `must be one of ${disambiguations.join(', ')}`),
  reason: reasonField(),
  ...overlapSchemas,
});

/** A parsed patch: a field is present only when the patch names it. */
export interface SessionPatch {
  name?: string;
  clientId?: string;
  serviceIds?: string[];
  staffId?: string | null;
  date?: string;
  startTime?: string;
  /** null: derive it from the services again. */
  durationMinutes?: number | null;
  fieldValues?: FieldValue[];
  disambiguation?: Disambiguation;
  reason: string | null;
  /** Overbooking on purpose: the reason given with allowOverlap: true. */
  overlapReason?: string;
}

export const parseUpdateSession = (body: unknown): SessionPatch => {
  const valid = validate(updateSessionSchema, body, updateSessionFields, {
    ...sessionFieldLimits,
    reason: { maxLength: 2000, message: 'must be at most 500 characters' },
  });
  const has = (key: string) => Object.prototype.hasOwnProperty.call(body, key);
  const patch: SessionPatch = { reason: trimmedOrNull(valid.reason) };
  // These refuse null, so a field the patch names is defined here; staffId and durationMinutes may be null.
  if (valid.name !== undefined) patch.name = normalizeName(valid.name);
  if (valid.clientId !== undefined) patch.clientId = valid.clientId;
  if (valid.serviceIds !== undefined) patch.serviceIds = [...valid.serviceIds];
  if (has('staffId')) patch.staffId = valid.staffId ?? null;
  if (valid.date !== undefined) patch.date = valid.date;
  if (valid.startTime !== undefined) patch.startTime = valid.startTime;
  if (has('durationMinutes')) patch.durationMinutes = valid.durationMinutes ?? null;
  if (has('fieldValues')) {
    patch.fieldValues = (valid.fieldValues ?? []).map((f) => ({ fieldKey: f.fieldKey, value: f.value ?? null, phase: f.phase ?? 'pre' }));
  }
  if (valid.disambiguation !== undefined) patch.disambiguation = valid.disambiguation;
  const overlap = overlapOf(valid);
  if (overlap.allowOverlap) patch.overlapReason = overlap.overlapReason;
  return patch;
};

export interface UpdateSession {
  type: 'UpdateSession';
  data: { sessionId: string; workspaceId: string; patch: SessionPatch };
  metadata: EventMetadata;
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

// Field by field: a resolved schedule and a folded one list their keys in different orders.
const timeFields = ['timeZone', 'date', 'startTime', 'endTime', 'durationMinutes', 'startAt', 'endAt'] as const;
const sameTimes = (a: SessionTimes, b: SessionTimes): boolean => timeFields.every((field) => a[field] === b[field]);

export const decideUpdateSession = (command: UpdateSession, session: SessionSnapshot, catalog: CatalogState): SessionEvent[] => {
  const { sessionId, workspaceId, patch } = command.data;
  const workspace = requireWorkspace(catalog, workspaceId);
  const named = findNamedEntries(
    catalog,
    workspaceId,
    {
      ...(patch.clientId !== undefined && patch.clientId !== session.client.id ? { clientId: patch.clientId } : {}),
      ...(patch.serviceIds !== undefined ? { serviceIds: patch.serviceIds } : {}),
      ...(patch.staffId !== undefined && patch.staffId !== (session.staff?.id ?? null) ? { staffId: patch.staffId } : {}),
    },
    { serviceIds: session.services.map((s) => s.id) },
  );

  const broken: FieldError[] = [];
  // Present exactly when the patch names services: findNamedEntries answers for what it is asked.
  const namedServices = named.services;
  const servicesChanged =
    namedServices !== undefined &&
    !sameJson(
      patch.serviceIds,
      session.services.map((s) => s.id),
    );
  const services = servicesChanged ? namedServices : session.services;
  if (servicesChanged) broken.push(...unbookableServices(services, named.scopes));
  const nextFieldValues = patch.fieldValues ?? session.fieldValues;
  if (patch.fieldValues !== undefined && session.status === 'scheduled') {
    patch.fieldValues.forEach((field, i) => {
      if (field.phase === 'post')
        broken.push({ path: `fieldValues[${i}].phase`, message: 'post-session values can only be set once the session has started' });
    });
  }

  // The duration: as asked (null: derived again), or following changed services unless it was set by hand.
  const duration =
    patch.durationMinutes !== undefined
      ? deriveDuration(patch.durationMinutes, services)
      : servicesChanged
        ? deriveDuration(session.durationSource === 'request' ? session.times.durationMinutes : null, services)
        : {
            durationMinutes: session.times.durationMinutes,
            durationSource: session.durationSource,
            summedServiceDurations: session.summedServiceDurations,
          };
  if ('problem' in duration && duration.problem) broken.push(duration.problem);

  // Where it sits in time: re-resolved in the workspace's current zone when the day or start moves.
  const moved = patch.date !== undefined || patch.startTime !== undefined || patch.disambiguation !== undefined;
  let times: SessionTimes = session.times;
  if (moved || duration.durationMinutes !== session.times.durationMinutes) {
    const timeZone = moved ? workspace.timeZone : session.times.timeZone;
    const localDay = patch.date !== undefined ? localDayOf(patch.date, timeZone) : session.times.date.slice(0, 10);
    const scheduled = scheduleOrProblem({
      localDay,
      startTime: patch.startTime ?? session.times.startTime,
      durationMinutes: duration.durationMinutes,
      timeZone,
      disambiguation: patch.disambiguation ?? (moved ? null : session.disambiguation),
    });
    if ('problems' in scheduled) broken.push(...scheduled.problems);
    else times = pickTimes(scheduled.schedule);
  }
  throwIfBroken(broken);

  const reason = patch.reason;
  const meta = () => ({ ...command.metadata, schemaVersion: 1 });
  const events: SessionEvent[] = [];
  const changed: string[] = [];

  const { name, fieldValues } = patch;
  const nameChanged = name !== undefined && name !== session.name;
  const fieldValuesChanged = fieldValues !== undefined && !sameJson(fieldValues, session.fieldValues);
  if (nameChanged || fieldValuesChanged) {
    if (nameChanged) changed.push('name');
    if (fieldValuesChanged)
      changed.push(
        session.status === 'completed' && onlyPostChanged(session.fieldValues, nextFieldValues) ? 'fieldValues.post' : 'fieldValues',
      );
    events.push({
      type: 'SessionDetailsChanged',
      data: {
        sessionId,
        workspaceId,
        ...(nameChanged ? { name: { from: session.name, to: name } } : {}),
        ...(fieldValuesChanged ? { fieldValues: { from: session.fieldValues, to: fieldValues } } : {}),
        reason,
      },
      metadata: meta(),
    } satisfies SessionDetailsChanged);
  }
  if (named.client !== undefined) {
    changed.push('clientId');
    events.push({
      type: 'SessionClientChanged',
      data: { sessionId, workspaceId, from: session.client, to: named.client, reason },
      metadata: meta(),
    } satisfies SessionClientChanged);
  }
  if (servicesChanged) {
    changed.push('serviceIds');
    events.push({
      type: 'SessionServicesChanged',
      data: {
        sessionId,
        workspaceId,
        from: session.services,
        to: services,
        durationSource: duration.durationSource,
        summedServiceDurations: duration.summedServiceDurations,
        reason,
      },
      metadata: meta(),
    } satisfies SessionServicesChanged);
  }
  if (named.staff !== undefined) {
    changed.push('staffId');
    events.push({
      type: 'SessionStaffReassigned',
      data: { sessionId, workspaceId, from: session.staff, to: named.staff, reason },
      metadata: meta(),
    } satisfies SessionStaffReassigned);
  }
  // A duration set by hand (or derived again) to the value it had still changes whether it follows
  // the services from now on, so it is recorded even though the times stay.
  const durationRuleChanged = !servicesChanged && duration.durationSource !== session.durationSource;
  if (!sameTimes(times, session.times) || durationRuleChanged) {
    if (times.durationMinutes !== session.times.durationMinutes || durationRuleChanged) changed.push('durationMinutes');
    if (times.startAt !== session.times.startAt || times.date !== session.times.date || times.startTime !== session.times.startTime)
      changed.push('date/startTime');
    events.push({
      type: 'SessionRescheduled',
      data: {
        sessionId,
        workspaceId,
        from: session.times,
        to: times,
        durationSource: duration.durationSource,
        disambiguation: patch.disambiguation ?? (moved ? null : session.disambiguation),
        reason,
      },
      metadata: meta(),
    } satisfies SessionRescheduled);
  }
  const refused = notAllowed(session.status, changed);
  if (refused) throw refused;
  return events;
};

const pickTimes = (t: SessionTimes): SessionTimes => ({
  timeZone: t.timeZone,
  date: t.date,
  startTime: t.startTime,
  endTime: t.endTime,
  durationMinutes: t.durationMinutes,
  startAt: t.startAt,
  endAt: t.endAt,
});

const onlyPostChanged = (before: readonly FieldValue[], after: readonly FieldValue[]): boolean =>
  sameJson(
    before.filter((f) => f.phase !== 'post'),
    after.filter((f) => f.phase !== 'post'),
  );

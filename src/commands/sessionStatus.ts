/**
 * What a session's status allows, in one table: which fields a PATCH may change and which
 * actions may follow. Anything else is a 409 whose body lists what the status allows.
 */
import { AppError } from '../errors.js';
import type { DurationSource, FieldValue, ServiceBooked, SessionStatus, SessionTimes } from '../events/session.js';

/** What the decisions know of an existing session (the aggregate's state once created). */
export interface SessionSnapshot {
  id: string;
  workspaceId: string;
  status: SessionStatus;
  name: string;
  client: { id: string; name: string };
  services: ServiceBooked[];
  staff: { id: string; name: string } | null;
  times: SessionTimes;
  durationSource: DurationSource;
  summedServiceDurations: number[];
  disambiguation: 'earlier' | 'later' | null;
  fieldValues: FieldValue[];
  /** Events in the stream. */
  version: number;
}

export type SessionAction = 'start' | 'complete' | 'cancel';

/** Field groups a PATCH changes, as the decision reports them. */
export type EditableField =
  'name' | 'clientId' | 'serviceIds' | 'staffId' | 'date/startTime' | 'durationMinutes' | 'fieldValues' | 'fieldValues.post';

const everything: EditableField[] = [
  'name',
  'clientId',
  'serviceIds',
  'staffId',
  'date/startTime',
  'durationMinutes',
  'fieldValues',
  'fieldValues.post',
];

export const statusRules: Record<SessionStatus, { fields: EditableField[]; actions: SessionAction[] }> = {
  scheduled: { fields: everything, actions: ['start', 'complete', 'cancel'] },
  'in-progress': { fields: ['name', 'durationMinutes', 'fieldValues', 'fieldValues.post'], actions: ['complete', 'cancel'] },
  completed: { fields: ['fieldValues.post'], actions: [] },
  cancelled: { fields: [], actions: [] },
};

/** 409: the session's status does not allow this change or action. */
export class SessionStatusError extends AppError {
  readonly status = 409;
  constructor(
    readonly code: 'invalid-transition' | 'not-editable',
    message: string,
    readonly sessionStatus: SessionStatus,
  ) {
    super(message);
  }

  override problemExtensions(): Record<string, unknown> {
    const rules = statusRules[this.sessionStatus];
    return { sessionStatus: this.sessionStatus, allowed: { fields: rules.fields, actions: rules.actions } };
  }
}

const describe = (status: SessionStatus): string => {
  const rules = statusRules[status];
  const fields = rules.fields.length > 0 ? `changes to ${rules.fields.join(', ')}` : 'no changes';
  const actions = rules.actions.length > 0 ? `and ${rules.actions.join(', ')}` : 'and no action';
  return `a ${status} session allows ${fields} ${actions}`;
};

/** The 409 for a PATCH whose changes the status does not allow, or null. */
export const notAllowed = (status: SessionStatus, changed: readonly string[]): SessionStatusError | null => {
  const refused = changed.filter((field) => !statusRules[status].fields.includes(field as EditableField));
  if (refused.length === 0) return null;
  return new SessionStatusError(
    'not-editable',
    `This session is ${status}: ${refused.join(', ')} cannot be changed (${describe(status)}).`,
    status,
  );
};

/** Throws the 409 unless the status allows the action. */
export const requireAction = (status: SessionStatus, action: SessionAction): void => {
  if (!statusRules[status].actions.includes(action)) {
    throw new SessionStatusError(
      'invalid-transition',
      `A ${status} session cannot be ${{ start: 'started', complete: 'completed', cancel: 'cancelled' }[action]} (${describe(status)}).`,
      status,
    );
  }
};

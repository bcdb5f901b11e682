/**
 * CancelSession: a scheduled or in-progress session is called off, with a reason. A no-show can
 * only be recorded once the session was due to start (by the command's own time).
 */
import * as yup from 'yup';
import type { EventMetadata } from '../events/envelope.js';
import { cancellationReasons, type CancellationReason, type SessionCancelled } from '../events/session.js';
import { BusinessRuleError } from '../errors.js';
import { requireAction, type SessionSnapshot } from './sessionStatus.js';
import { freeTextField, trimmedOrNull, validate } from './validation.js';

const schema = yup.object({
  reason: yup
    .string()
    .required('is required')
    .oneOf([...cancellationReasons], `must be one of ${cancellationReasons.join(', ')}`),
  note: freeTextField(500)
    .nullable()
    .when('reason', {
      is: 'other',
      then: (note) =>
        note
          .required('is required when reason is "other"')
          // After `required`: a missing or null note fails that rule and never reaches this one.
          .test('not-blank', 'is required when reason is "other"', (v) => v.trim() !== ''),
    }),
});

export interface CancelSessionInput {
  reason: CancellationReason;
  note: string | null;
}

export const parseCancelSession = (body: unknown): CancelSessionInput => {
  const valid = validate(schema, body, ['reason', 'note'], {
    reason: { maxLength: 100, message: `must be one of ${cancellationReasons.join(', ')}` },
    note: { maxLength: 2000, message: 'must be at most 500 characters' },
  });
  return { reason: valid.reason, note: trimmedOrNull(valid.note) };
};

export interface CancelSession {
  type: 'CancelSession';
  data: CancelSessionInput & { sessionId: string; workspaceId: string };
  metadata: EventMetadata;
}

export const decideCancelSession = (command: CancelSession, session: SessionSnapshot): SessionCancelled[] => {
  const { reason, note, sessionId, workspaceId } = command.data;
  if (reason === 'no-show' && command.metadata.occurredAt < session.times.startAt) {
    throw new BusinessRuleError(`A no-show can only be recorded once the session has started (at ${session.times.startAt}).`, [
      { path: 'reason', message: `"no-show" is not possible before the session's start at ${session.times.startAt}` },
    ]);
  }
  requireAction(session.status, 'cancel');
  return [
    {
      type: 'SessionCancelled',
      data: {
        sessionId,
        workspaceId,
        from: session.status,
        reason,
        note,
        cancelledBy: reason === 'client-request' ? 'client' : 'practice',
      },
      metadata: { ...command.metadata, schemaVersion: 1 },
    },
  ];
};

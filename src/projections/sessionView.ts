import type { FieldValue, SessionStatus } from '../events/session.js';
import { defineProjection } from './defineProjection.js';
import { byId } from './projection.js';

export interface SessionView {
  [key: string]: unknown;
  id: string;
  workspaceId: string;
  clientId: string;
  clientName: string;
  serviceIds: string[];
  serviceNames: string[];
  staffId: string | null;
  staffName: string | null;
  name: string;
  date: string;
  startTime: string;
  endTime: string;
  durationMinutes: number;
  status: SessionStatus;
  fieldValues: FieldValue[];
  attachments: unknown[];
  notes: unknown[];
  invoice: null;
  createdAt: string;
  updatedAt: string;
}

export const sessionView = defineProjection<SessionView>({
  name: 'sessions',
  collection: 'sessions',
  on: {
    SessionCreated: {
      documents: (e) => byId(e.data.workspaceId, e.data.sessionId),
      evolve: (_current, e) => {
      const d = e.data;
      return {
        id: d.sessionId,
        workspaceId: d.workspaceId,
        clientId: d.client.id,
        clientName: d.client.name,
        serviceIds: d.services.map((s) => s.id),
        serviceNames: d.services.map((s) => s.name),
        staffId: d.staff?.id ?? null,
        staffName: d.staff?.name ?? null,
        name: d.requested.name,
        date: d.date,
        startTime: d.startTime,
        endTime: d.endTime,
        durationMinutes: d.durationMinutes,
        status: d.status,
        fieldValues: d.fieldValues.map((f) => ({ fieldKey: f.fieldKey, value: f.value, phase: f.phase })),
        attachments: [],
        notes: [],
        invoice: null,
        createdAt: e.metadata.occurredAt,
        updatedAt: e.metadata.occurredAt,
      };
      },
    },
  },
});

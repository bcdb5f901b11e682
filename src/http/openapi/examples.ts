/**
 * Examples from the documented Create Session API (shared/seed/create-session-v1.md): the request
 * verbatim, the response with the fields this service adds after the seed's (version, the zone and
 * instants, the lifecycle fields), for a workspace in UTC.
 */
export const createSessionRequestExample = {
  name: 'Consultation Session',
  clientId: '507f1f77bcf86cd799439012',
  serviceIds: ['507f1f77bcf86cd799439013', '507f1f77bcf86cd799439014'],
  staffId: '507f1f77bcf86cd799439015',
  date: '2024-01-20T10:00:00Z',
  startTime: '10:00',
  durationMinutes: 90,
  status: 'scheduled',
  fieldValues: [{ fieldKey: 'session-type', value: 'consultation', phase: 'pre' }],
};

export const createSessionResponseExample = {
  session: {
    id: '507f1f77bcf86cd799439011',
    workspaceId: '507f191e810c19729de860ea',
    clientId: '507f1f77bcf86cd799439012',
    clientName: 'John Doe',
    serviceIds: ['507f1f77bcf86cd799439013', '507f1f77bcf86cd799439014'],
    serviceNames: ['استشارة طبية', 'فحص عام'],
    staffId: '507f1f77bcf86cd799439015',
    staffName: 'Dr. Smith',
    name: 'Consultation Session',
    date: '2024-01-20T00:00:00.000Z',
    startTime: '10:00',
    endTime: '11:30',
    durationMinutes: 90,
    status: 'scheduled',
    fieldValues: [],
    attachments: [],
    notes: [],
    invoice: null,
    createdAt: '2024-01-15T10:00:00.000Z',
    updatedAt: '2024-01-15T10:00:00.000Z',
    version: 1,
    timeZone: 'UTC',
    startAt: '2024-01-20T10:00:00.000Z',
    endAt: '2024-01-20T11:30:00.000Z',
    startedAt: null,
    completedAt: null,
    cancellation: null,
    overbooked: null,
  },
};

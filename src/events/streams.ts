/** One stream per aggregate. The prefixes are also what the projector subscribes to. */
export const streamPrefixes = ['workspace-', 'client-', 'service-', 'staff-', 'session-', 'staffday-'] as const;

export const workspaceStream = (id: string): string => `workspace-${id}`;
export const clientStream = (id: string): string => `client-${id}`;
export const serviceStream = (id: string): string => `service-${id}`;
export const staffStream = (id: string): string => `staff-${id}`;
export const sessionStream = (id: string): string => `session-${id}`;
/** A staff member's UTC day (YYYY-MM-DD): the stream that keeps their sessions from overlapping. */
export const staffDayStream = (workspaceId: string, staffId: string, day: string): string => `staffday-${workspaceId}-${staffId}-${day}`;

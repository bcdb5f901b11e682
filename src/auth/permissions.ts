/**
 * Every permission the service checks, listed once per feature. `allPermissions` (what
 * `npm run token -- --permissions all` grants) is their union, and routes can only name a
 * `Permission`, so a route cannot check one that this list does not know.
 */
export const permissionsByFeature = {
  workspaces: ['workspaces.create', 'workspaces.update'],
  clients: ['clients.create', 'clients.read', 'clients.update'],
  services: ['services.create', 'services.read', 'services.update'],
  staff: ['staff.create', 'staff.read', 'staff.update'],
  sessions: ['sessions.create', 'sessions.read', 'sessions.update', 'sessions.cancel', 'sessions.overbook', 'sessions.audit'],
  audit: ['audit.read'],
} as const;

export type Permission = (typeof permissionsByFeature)[keyof typeof permissionsByFeature][number];

export const allPermissions: readonly Permission[] = Object.values(permissionsByFeature).flat();

/**
 * Development convenience: on an empty store, seed a demo workspace through the normal command
 * path (so its events look like any others) and print a curl that creates a session.
 */
import { signToken, allPermissions } from './auth/tokens.js';
import { addStaffMemberSpec } from './commands/staffMember.js';
import { createWorkspaceSpec } from './commands/workspace.js';
import { defineServiceSpec } from './commands/service.js';
import { handleCommand, type AggregateCommand, type CommandDeps } from './commands/handle.js';
import type { EventToAppend } from './stores/eventStore.js';
import { idempotentId } from './commands/idempotency.js';
import { registerClientSpec } from './commands/client.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';

const demoActor = { userId: 'demo-seed', name: 'Demo seed' };

/**
 * Seeds with Idempotency-Keys, so the demo's ids are deterministic: a later start finds the same
 * workspace (a replay appends nothing) and prints the curl again.
 */
export const seedDemo = async (config: Config, deps: CommandDeps, logger: Logger): Promise<void> => {
  const empty = (await deps.events.headPosition()) === null;
  const workspaceKey = 'demo-workspace';
  const demoWorkspaceId = idempotentId('platform:demo', 'workspace', workspaceKey);
  if (!empty && (await deps.readModel.find('workspaces', demoWorkspaceId, demoWorkspaceId)) === null) {
    logger.info('store holds data and no demo workspace: demo not seeded');
    return;
  }
  const create = (spec: AggregateCommand<unknown, EventToAppend, unknown, unknown>, scope: string, key: string, input: unknown) =>
    handleCommand(deps, spec, {
      context: { actor: demoActor, requestId: `demo-seed-${key}`, correlationId: 'demo-seed' },
      scope,
      idempotencyKey: key,
      body: input,
    });
  const workspaceInput = { name: 'Demo Clinic', timeZone: 'Asia/Riyadh' };
  const ws = (await create(createWorkspaceSpec(workspaceInput), 'platform:demo', workspaceKey, workspaceInput)).id;
  const rm = deps.readModel;
  const consultationInput = { name: 'استشارة طبية', scope: 'sessions', durationMinutes: 30 };
  const checkupInput = { name: 'General check-up', scope: 'sessions', durationMinutes: 60 };
  const productInput = { name: 'Vitamin pack', scope: 'products', durationMinutes: null };
  const clientInput = { name: 'John Doe', email: 'john@example.com', phone: null };
  const staffInput = { name: 'Dr. Smith', email: null };
  const [consultation, checkup, , client, staff] = await Promise.all([
    create(defineServiceSpec(rm, ws, consultationInput), ws, 'demo-service-consultation', consultationInput),
    create(defineServiceSpec(rm, ws, checkupInput), ws, 'demo-service-checkup', checkupInput),
    create(defineServiceSpec(rm, ws, productInput), ws, 'demo-service-product', productInput),
    create(registerClientSpec(rm, ws, clientInput), ws, 'demo-client', clientInput),
    create(addStaffMemberSpec(rm, ws, staffInput), ws, 'demo-staff', staffInput),
  ]);
  logger.info({ workspaceId: ws, seeded: empty }, empty ? 'demo workspace seeded' : 'demo workspace found');

  const token = signToken(config.jwt, { sub: 'demo-user', name: 'Demo User', workspaceId: ws, permissions: allPermissions }, '12h');
  const body = JSON.stringify({
    name: 'Consultation Session',
    clientId: client.id,
    serviceIds: [consultation.id, checkup.id],
    staffId: staff.id,
    date: '2024-01-20T10:00:00Z',
    startTime: '10:00',
  });
  const port = config.port === 0 ? 3000 : config.port;
  process.stdout.write(
    [
      '',
      `Demo workspace ${ws} is ready. Create a session (the token is valid for 12h):`,
      '',
      `curl -sS -X POST http://localhost:${port}/v1/workspace/${ws}/sessions \\`,
      `  -H 'Authorization: Bearer ${token}' \\`,
      `  -H 'Content-Type: application/json' \\`,
      `  -d '${body}'`,
      '',
      '',
    ].join('\n'),
  );
};

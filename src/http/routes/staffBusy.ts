/** GET /staff/:staffId/busy: the staff member's occupied intervals, from the booking decisions' own streams. */
import Router from '@koa/router';
import { parseIsoDateTime } from '../../commands/calendar.js';
import { maxBusyRangeDays, staffBusy } from '../../commands/staffBusy.js';
import type { AppContext, AppState } from '../context.js';
import { authorize } from '../middleware/auth.js';
import { QueryReader } from './queryString.js';
import { findOr404, type RouteDeps } from './shared.js';

export const staffBusyRoutes = (deps: RouteDeps): Router<AppState, AppContext> => {
  const router = new Router<AppState, AppContext>();
  router.get(
    '/v1/workspace/:workspaceId/staff/:staffId/busy',
    authorize({ permission: 'sessions.read', workspaceScoped: true }),
    async function busy(ctx) {
      const { workspaceId, staffId } = ctx.params as { workspaceId: string; staffId: string };
      const q = new QueryReader(ctx.query, ['from', 'to']);
      const instant = (name: 'from' | 'to'): string | undefined => {
        const value = ctx.query[name];
        const at = typeof value === 'string' && /T.*(Z|[+-]\d{2}:?\d{2})$/.test(value) ? parseIsoDateTime(value) : null;
        if (at === null) {
          q.fail(name, Array.isArray(value) ? 'must be given once' : 'is required: an ISO 8601 instant with Z or an offset');
          return undefined;
        }
        return at.toISOString();
      };
      const from = instant('from');
      const to = instant('to');
      if (from && to && from >= to) q.fail('to', 'must be after from');
      if (from && to && Date.parse(to) - Date.parse(from) > maxBusyRangeDays * 86_400_000)
        q.fail('to', `must be at most ${maxBusyRangeDays} days after from`);
      q.throwIfInvalid();
      if (from === undefined || to === undefined) throw new Error('from and to were checked above');
      await findOr404(deps, 'staff', workspaceId, staffId, 'Staff member');
      ctx.body = { staffId, from, to, busy: await staffBusy(deps.commands.events, workspaceId, staffId, from, to) };
    },
  );
  return router;
};

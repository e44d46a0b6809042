import type { Hono } from 'hono';
import { setSchedulingPaused } from '../../db/tables/miner-slots.ts';
import { ApiError } from '../api-error.ts';
import { type AdminContext, audit, withinDeadline } from './admin-context.ts';
import { hotkeyInput, parsePathParam } from './admin-input.ts';

/**
 * `POST /v1/admin/miners/{hotkey}/pause` stops creating tasks for a miner (its slots and the tasks
 * already in flight stay); `.../resume` creates them again. Idempotent; 404 for a hotkey without
 * slots. As `evalpool slots pause|resume <hotkey>`.
 */
export function registerSchedulingRoutes(admin: Hono, ctx: AdminContext): void {
  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    admin.post(`/miners/:hotkey/${verb}`, async (c) => {
      const hotkey = parsePathParam('hotkey', hotkeyInput, c.req.param('hotkey'));
      const result = await withinDeadline(ctx, `the ${verb}`, setSchedulingPaused(ctx.db, hotkey, paused, new Date(ctx.now())));
      if (!result)
        throw new ApiError(404, 'not_found', `hotkey ${hotkey} has no slots yet (the scheduler gives a miner slots when it first sees it)`);
      const answer = { hotkey, scheduling_paused: result.after, was_paused: result.before, changed: result.before !== result.after };
      audit(ctx, c, paused ? 'scheduling.pause' : 'scheduling.resume', answer, `${paused ? 'paused' : 'resumed'} scheduling for ${hotkey}`);
      return c.json(answer);
    });
  }
}

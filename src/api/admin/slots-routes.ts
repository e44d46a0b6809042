import type { Hono } from 'hono';
import * as v from 'valibot';
import { pinSlots, SLOTS_PIN_MAX } from '../../db/tables/miner-slots.ts';
import { isKnownHotkey } from '../../db/tables/miners.ts';
import { ApiError } from '../api-error.ts';
import { type AdminContext, audit, withinDeadline } from './admin-context.ts';
import { hotkeyInput, parseJsonBody, parsePathParam } from './admin-input.ts';

const PIN_RULE = `pinned must be a whole number from 0 to ${SLOTS_PIN_MAX}, or null to unpin`;
const PinBody = v.strictObject({
  pinned: v.nullable(v.pipe(v.number(PIN_RULE), v.integer(PIN_RULE), v.minValue(0, PIN_RULE), v.maxValue(SLOTS_PIN_MAX, PIN_RULE))),
  /** Pin a hotkey the scheduler has never seen (as `slots set --new`). */
  new: v.optional(v.boolean('new must be true or false')),
});

/**
 * `PUT /v1/admin/miners/{hotkey}/slots` `{"pinned": n}` pins a miner's slots to n (the adjuster
 * leaves it alone; 0 stops its tasks); `{"pinned": null}` unpins it back to its adjusted value.
 * A hotkey the scheduler has never seen is 404 (a typo would be pinned silently and match no
 * miner) unless `"new": true` pins it ahead of its miner; unpinning one without slots is 404. As
 * `evalpool slots set <hotkey> <n|auto> [--new]`. The answer gives the effective slots before and after.
 */
export function registerSlotsRoutes(admin: Hono, ctx: AdminContext): void {
  admin.put('/miners/:hotkey/slots', async (c) => {
    const hotkey = parsePathParam('hotkey', hotkeyInput, c.req.param('hotkey'));
    const body = await parseJsonBody(c, PinBody);
    const pinned = body.pinned;
    if (body.new !== true && !(await withinDeadline(ctx, 'checking the hotkey', isKnownHotkey(ctx.db, hotkey)))) {
      throw new ApiError(404, 'not_found', `unknown hotkey ${hotkey}: the scheduler has never seen it; send "new": true to pin it anyway`);
    }
    const result = await withinDeadline(ctx, 'the pin', pinSlots(ctx.db, hotkey, pinned, new Date(ctx.now())));
    if (!result) throw new ApiError(404, 'not_found', `hotkey ${hotkey} has no slots; nothing to unpin`);
    const answer = { hotkey, pinned: result.pinned, slots_before: result.before, slots_after: result.after };
    audit(
      ctx,
      c,
      pinned === null ? 'slots.unpin' : 'slots.pin',
      answer,
      pinned === null ? `unpinned the slots of ${hotkey}` : `pinned the slots of ${hotkey} to ${pinned}`,
    );
    return c.json(answer);
  });
}

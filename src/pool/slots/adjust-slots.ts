import type { Kysely } from 'kysely';
import { SLOT_HEALTH_WINDOW_SECONDS } from '../../config/constants.ts';
import type { Database } from '../../db/schema.ts';
import { applySlotChanges, getSlotHealth, type SlotChange } from '../../db/tables/miner-slots.ts';
import type { Logger } from '../../runtime/logger.ts';
import { nextSlots, type SlotTier, slotHealth } from './next-slots.ts';

/** The slot settings the adjuster reads (`config.slots` has them). */
export interface SlotAdjustSettings {
  readonly min: number;
  readonly max: number;
  /** Counted attempts (success + failure + miner_unavailable) needed in the window before any change. */
  readonly minSamples: number;
  /** Period of the passes; a miner whose row changed within half of it is left alone (see below). */
  readonly adjustIntervalSeconds: number;
}

/**
 * One pass of the slot adjuster, meant to run every `adjustIntervalSeconds`: from the attempts
 * of the last `SLOT_HEALTH_WINDOW_SECONDS` before `now` (one query for all miners),
 * `health = success_like / (success_like + miner_unavailable)` where success_like = success +
 * failure (`env_error` and `worker_error` are not the miner's fault and do not count), then the
 * tier rule and the clamp of {@link nextSlots}. Pinned miners are untouched; so are miners with
 * fewer than `minSamples` counted attempts, and miners whose row changed within the last half
 * interval, which makes a second pass soon after (a restart, a second leader) a no-op while a
 * timer firing a little early still adjusts.
 * Every change is recorded in `slot_history` with its health and samples; returns them.
 */
export async function adjustSlots(
  db: Kysely<Database>,
  settings: SlotAdjustSettings,
  now: Date,
  logger: Logger,
  tiers?: readonly SlotTier[],
): Promise<SlotChange[]> {
  const since = new Date(now.getTime() - SLOT_HEALTH_WINDOW_SECONDS * 1000);
  const settled = now.getTime() - (settings.adjustIntervalSeconds * 1000) / 2;
  const wanted: SlotChange[] = [];
  for (const row of await getSlotHealth(db, since, now)) {
    const samples = row.success_like + row.unavailable;
    if (samples < settings.minSamples || row.updated_at.getTime() > settled) continue;
    const health = slotHealth(row.success_like, row.unavailable);
    const next = nextSlots(row.slots, health, settings, tiers);
    if (next !== row.slots) wanted.push({ hotkey: row.hotkey, oldSlots: row.slots, newSlots: next, health, samples });
  }
  const applied = await applySlotChanges(db, wanted, now);
  for (const c of applied)
    logger.info(
      { hotkey: c.hotkey, from: c.oldSlots, to: c.newSlots, health: Number(c.health.toFixed(3)), samples: c.samples },
      'adjusted miner slots',
    );
  return applied;
}

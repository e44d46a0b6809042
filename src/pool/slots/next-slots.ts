import { SLOT_TIERS } from '../../config/constants.ts';

/** One tier of the slot rule: the first whose `minHealth` is met decides the change. */
export interface SlotTier {
  readonly minHealth: number;
  readonly add?: number;
  readonly multiply?: number;
}

/** Bounds of the adjusted slots. */
export interface SlotBounds {
  readonly min: number;
  readonly max: number;
}

/** `success_like / (success_like + miner_unavailable)`; 1 when there is nothing to judge. */
export function slotHealth(successLike: number, unavailable: number): number {
  const total = successLike + unavailable;
  return total === 0 ? 1 : successLike / total;
}

/**
 * The slots a miner gets next for its `health` (docs/design.md, "Per-miner slots"): the first tier
 * met adds or multiplies (rounded down, so a struggling miner always loses at least one slot
 * above the minimum), then the result is clamped to `[min, max]`, which also brings a value
 * left outside new bounds back inside.
 */
export function nextSlots(current: number, health: number, bounds: SlotBounds, tiers: readonly SlotTier[] = SLOT_TIERS): number {
  const tier = tiers.find((t) => health >= t.minHealth) ?? tiers[tiers.length - 1];
  const raw = tier?.multiply !== undefined ? Math.floor(current * tier.multiply) : current + (tier?.add ?? 0);
  return Math.min(bounds.max, Math.max(bounds.min, raw));
}

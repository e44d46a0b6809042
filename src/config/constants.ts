/**
 * Fixed constants of evalpool that are not meant to be tuned per deployment. Tunables are
 * `EVALPOOL_*` variables in `sections/`; these are the rules of the subnet and of the pool.
 */

/** First-commit-advantage thresholds (the subnet's published scoring rules). */
export const SCORING = Object.freeze({
  /** z of the confidence margin `z·sqrt(p(1−p)/n)`. */
  z: 1.5,
  minGap: 0.02,
  maxGap: 0.1,
  /** ε-Pareto frontier: `eps = clip(2·std/sqrt(n), epsMin, epsMax)`. */
  epsMin: 0.01,
  epsMax: 0.2,
});

/**
 * Slot tiers: `health = success_like / (success_like + miner_unavailable)` over the last hour;
 * the first tier whose `minHealth` is met decides the change (before clamping to the bounds).
 */
export const SLOT_TIERS: readonly { readonly minHealth: number; readonly add?: number; readonly multiply?: number }[] = Object.freeze([
  { minHealth: 0.9, add: 2 },
  { minHealth: 0.7, add: 0 },
  { minHealth: 0.5, add: -3 },
  { minHealth: 0.3, multiply: 0.7 },
  { minHealth: 0, multiply: 0.5 },
]);

/** Window of attempts the slot adjuster looks at. */
export const SLOT_HEALTH_WINDOW_SECONDS = 3_600;

/** Chain block time, used to derive a block number from the clock when there is no chain. */
export const BLOCK_SECONDS = 12;


/**
 * First-commit-advantage threshold. An earlier miner with success rate `sr` over `n` results in an
 * env holds it against later miners up to
 *
 *     thr = min(sr + clip(z·sqrt(p(1−p)/n), minGap, maxGap), 1),   p = clip(sr, 0.01, 0.99)
 *
 * i.e. a later miner must beat `sr` by about z standard errors of the earlier miner's estimate
 * (never less than `minGap`, never more than `maxGap`). `n` is the real count of results in the
 * current list, so a well-sampled leader is easier to overtake than a barely-sampled one. `p` is
 * clipped so a perfect or null record still has a positive standard error. A threshold of 1
 * cannot be exceeded (success rates are ≤ 1): a perfect leader keeps the env.
 */
import { clip } from './clip.ts';
import type { ScoringParams } from './scoring-params.ts';

/** Clip bounds of `p` inside the standard error; part of the formula, not a setting. */
const THRESHOLD_P_MIN = 0.01;
const THRESHOLD_P_MAX = 0.99;

/** The parameters {@link threshold} reads. */
export type ThresholdParams = Pick<ScoringParams, 'thresholdZ' | 'thresholdMinGap' | 'thresholdMaxGap'>;

/** The gap `clip(z·sqrt(p(1−p)/n), minGap, maxGap)`; `n = 0` gives `maxGap`. */
export function thresholdGap(successRate: number, n: number, params: ThresholdParams): number {
  // No data is maximal uncertainty (and avoids 0·∞ when z = 0).
  if (n <= 0) return params.thresholdMaxGap;
  const p = clip(successRate, THRESHOLD_P_MIN, THRESHOLD_P_MAX);
  const se = Math.sqrt((p * (1 - p)) / n);
  return clip(params.thresholdZ * se, params.thresholdMinGap, params.thresholdMaxGap);
}

/** `min(sr + gap, 1)`: what a later miner must strictly exceed in this env to beat this miner. */
export function threshold(successRate: number, n: number, params: ThresholdParams): number {
  return Math.min(successRate + thresholdGap(successRate, n, params), 1);
}

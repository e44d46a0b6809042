/** The sufficient statistics of one miner's scores in one env. */
export interface ScoreSums {
  readonly n: number;
  readonly sum: number;
  readonly sumSq: number;
}

/** Mean and (population) standard deviation of a miner's scores in one env. */
export interface SuccessStats {
  /** `sr = sum / n`, clamped to [0, 1]. */
  readonly successRate: number;
  /** `sqrt(max(0, sumSq / n − sr²))`: 0 ≤ std ≤ 0.5 for scores in [0, 1]. */
  readonly std: number;
}

/**
 * `sr = sum / n` and the spread of the scores around it, or `null` when `n = 0` (no data is not a
 * rate of 0). With 0/1 successes `std = sqrt(sr·(1 − sr))`.
 */
export function successStats(sums: ScoreSums): SuccessStats | null {
  if (sums.n <= 0) return null;
  const successRate = Math.min(Math.max(sums.sum / sums.n, 0), 1);
  // Cancellation can push the variance a hair below 0 when all scores are equal.
  const variance = Math.max(0, sums.sumSq / sums.n - successRate * successRate);
  return { successRate, std: Math.sqrt(variance) };
}

/**
 * Coverage and eligibility. For miner m and scored env e with current list `L_e`:
 * `n = |results(m, e) ∩ L_e|`, `coverage = n / |L_e|`. A miner is eligible only if
 * `coverage ≥ minCoverage` in every scored env: weights never come from partial data.
 */

/** `n / |L_e|`, in [0, 1] for valid input. */
export function coverage(n: number, listSize: number): number {
  return n / listSize;
}

/**
 * Whether `n / |L_e| ≥ minCoverage`. Compared as a quotient, not as `n ≥ minCoverage·|L_e|`:
 * `0.7 * 10` is `7.000000000000001` in floating point, `7 / 10` is exactly the double `0.7`.
 */
export function meetsCoverage(n: number, listSize: number, minCoverage: number): boolean {
  return coverage(n, listSize) >= minCoverage;
}

/**
 * Whether a miner with these per-env coverages is eligible: every one is ≥ `minCoverage`. With no
 * scored env there is nothing to judge on, so nobody is eligible.
 */
export function isEligible(coverages: readonly number[], minCoverage: number): boolean {
  return coverages.length > 0 && coverages.every((c) => c >= minCoverage);
}

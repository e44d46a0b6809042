/**
 * The tunable knobs of scoring. Built from the configuration by `scoringParamsOf` (scoring-params-of.ts), which maps the
 * `EVALPOOL_*` variables onto this object.
 */
export interface ScoringParams {
  /** A miner is eligible only if `n / |L_e| >= minCoverage` in every scored env. In (0, 1]. */
  readonly minCoverage: number;
  /** `z` of the first-commit threshold gap `clip(z·sqrt(p(1−p)/n), minGap, maxGap)`. >= 0. */
  readonly thresholdZ: number;
  /** Smallest gap a later miner must clear above an earlier one's success rate. >= 0. */
  readonly thresholdMinGap: number;
  /** Largest such gap. >= thresholdMinGap. */
  readonly thresholdMaxGap: number;
  /** Softmax temperature `T` of `weights = softmax(points / T)`. Finite and > 0. */
  readonly temperature: number;
  /** Lower clip of the ε-Pareto tolerance `eps_j`. >= 0. */
  readonly epsilonMin: number;
  /** Upper clip of the ε-Pareto tolerance `eps_j`. >= epsilonMin. */
  readonly epsilonMax: number;
}

function check(ok: boolean, field: keyof ScoringParams, rule: string, value: unknown): void {
  if (!ok) throw new RangeError(`scoring params: ${field} must be ${rule}, got ${String(value)}`);
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/**
 * Throws a `RangeError` naming the first parameter that breaks its rule; returns the same object
 * otherwise. The config module validates first; this guards callers that build params by hand.
 */
export function validateScoringParams(params: ScoringParams): ScoringParams {
  const p = params;
  check(finite(p.minCoverage) && p.minCoverage > 0 && p.minCoverage <= 1, 'minCoverage', 'a number in (0, 1]', p.minCoverage);
  check(finite(p.thresholdZ) && p.thresholdZ >= 0, 'thresholdZ', 'a finite number >= 0', p.thresholdZ);
  check(finite(p.thresholdMinGap) && p.thresholdMinGap >= 0, 'thresholdMinGap', 'a finite number >= 0', p.thresholdMinGap);
  check(
    finite(p.thresholdMaxGap) && p.thresholdMaxGap >= p.thresholdMinGap,
    'thresholdMaxGap',
    `a finite number >= thresholdMinGap (${String(p.thresholdMinGap)})`,
    p.thresholdMaxGap,
  );
  check(finite(p.temperature) && p.temperature > 0, 'temperature', 'a finite number > 0', p.temperature);
  check(finite(p.epsilonMin) && p.epsilonMin >= 0, 'epsilonMin', 'a finite number >= 0', p.epsilonMin);
  check(
    finite(p.epsilonMax) && p.epsilonMax >= p.epsilonMin,
    'epsilonMax',
    `a finite number >= epsilonMin (${String(p.epsilonMin)})`,
    p.epsilonMax,
  );
  return params;
}

/**
 * Default scoring parameters (the subnet's published values where it has them). The lead folds
 * these into the config module as `EVALPOOL_*` variables; nothing here reads the environment.
 */
import type { ScoringParams } from './scoring-params.ts';

/**
 * Coverage a miner needs in every scored env to be eligible. Keep it below
 * `1 − rotation count / list size`, or a miner that keeps pace drops out after each rotation.
 */
export const DEFAULT_MIN_COVERAGE = 0.8;
/** z of the first-commit threshold gap (≈ 93% one-sided confidence). */
export const DEFAULT_THRESHOLD_Z = 1.5;
/** Smallest gap a later miner must clear: 2 percentage points. */
export const DEFAULT_THRESHOLD_MIN_GAP = 0.02;
/** Largest gap a later miner must clear: 10 percentage points. */
export const DEFAULT_THRESHOLD_MAX_GAP = 0.1;
/** Softmax temperature over points (lower = more winner-take-all). */
export const DEFAULT_PARETO_TEMPERATURE = 1;
/** Lower clip of the ε-Pareto tolerance. */
export const DEFAULT_PARETO_EPSILON_MIN = 0.01;
/** Upper clip of the ε-Pareto tolerance. */
export const DEFAULT_PARETO_EPSILON_MAX = 0.2;

/** All defaults as one frozen params object. */
export const DEFAULT_SCORING_PARAMS: ScoringParams = Object.freeze({
  minCoverage: DEFAULT_MIN_COVERAGE,
  thresholdZ: DEFAULT_THRESHOLD_Z,
  thresholdMinGap: DEFAULT_THRESHOLD_MIN_GAP,
  thresholdMaxGap: DEFAULT_THRESHOLD_MAX_GAP,
  temperature: DEFAULT_PARETO_TEMPERATURE,
  epsilonMin: DEFAULT_PARETO_EPSILON_MIN,
  epsilonMax: DEFAULT_PARETO_EPSILON_MAX,
});

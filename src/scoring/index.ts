/**
 * Scoring: pure functions from per miner×env aggregates over the current sampling lists to
 * eligibility, first-commit thresholds, subset points, softmax weights, the ε-Pareto frontier and
 * u16 chain weights. No I/O; every function is deterministic. Start at {@link computeScores}.
 */
export { computeScores } from './compute-scores.ts';
export { coverage, isEligible, meetsCoverage } from './coverage.ts';
export { envEpsilon, epsilonDominates, paretoEpsilon, paretoFrontier } from './pareto-frontier.ts';
export type { EpsilonBounds, FrontierPoint } from './pareto-frontier.ts';
export type { EnvSummary, MinerEnvScore, MinerScore, NoWeightsReason, ScoreReport } from './score-report.ts';
export type { MinerEnvAggregate, MinerIdentity, ScoredEnv, ScoringInput } from './scoring-input.ts';
export { ScoringInputError } from './scoring-input-error.ts';
export { validateScoringParams } from './scoring-params.ts';
export type { ScoringParams } from './scoring-params.ts';
export { softmax } from './softmax.ts';
export { commitOrder, MAX_SUBSET_ENVS, subsetWinners } from './subset-winners.ts';
export type { Contender, SubsetWin, SubsetWinners } from './subset-winners.ts';
export { successStats } from './success-stats.ts';
export type { ScoreSums, SuccessStats } from './success-stats.ts';
export { threshold, THRESHOLD_P_MAX, THRESHOLD_P_MIN, thresholdGap } from './threshold.ts';
export type { ThresholdParams } from './threshold.ts';
export { toU16Weights, U16_TOTAL } from './u16-weights.ts';
export type { U16Weights, UidWeight } from './u16-weights.ts';
export { validateScoringInput } from './validate-scoring-input.ts';

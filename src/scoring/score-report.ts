/**
 * What {@link computeScores} returns: everything the weights row, the score snapshot, the API and
 * the CLI show. Plain data (JSON-serialisable), deterministic for a given input whatever its order.
 */

import type { U16Weights } from '../db/schema.ts';
import type { ScoringParams } from './scoring-params.ts';

/** A scored env as scoring saw it. */
export interface EnvSummary {
  readonly envId: string;
  readonly listSize: number;
  /** `eps_j` of the ε-Pareto frontier; `null` when no miner is eligible. */
  readonly epsilon: number | null;
}

/** One miner in one scored env. */
export interface MinerEnvScore {
  readonly envId: string;
  /** Results counted over the current list. */
  readonly n: number;
  /** `n / |L_e|`. */
  readonly coverage: number;
  /** `coverage ≥ minCoverage` in this env. */
  readonly eligible: boolean;
  /** `sum / n`; `null` when `n = 0`. */
  readonly successRate: number | null;
  /** Standard deviation of the scores; `null` when `n = 0`. */
  readonly std: number | null;
  /** What a later miner must strictly exceed here; `null` when `n = 0`. */
  readonly threshold: number | null;
}

/** One miner's outcome. */
export interface MinerScore {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
  readonly committedBlock: number;
  /** Coverage ≥ minCoverage in every scored env. Only eligible miners compete and get weight. */
  readonly eligible: boolean;
  /** Σ |S| over the env subsets S this miner wins. */
  readonly points: number;
  /** How many subsets it wins. */
  readonly subsetsWon: number;
  /** Softmax share among eligible miners; 0 for ineligible ones and when nobody is eligible. */
  readonly weight: number;
  /** Not ε-dominated by another eligible miner; always false when ineligible. */
  readonly onFrontier: boolean;
  /** One entry per scored env, in the order of {@link ScoreReport.envs}. */
  readonly envs: readonly MinerEnvScore[];
}

/** Why a report carries no weights (then the last published weights stand). */
export interface NoWeightsReason {
  readonly code: 'no-scored-envs' | 'no-miners' | 'no-eligible-miner';
  /** One line for logs and `/v1/status`. */
  readonly message: string;
}

/** The whole outcome of one scoring pass. */
export interface ScoreReport {
  /** Scored envs, ascending by `envId` (code-unit order). */
  readonly envs: readonly EnvSummary[];
  /** Every input miner, ascending by uid. */
  readonly miners: readonly MinerScore[];
  readonly eligibleCount: number;
  /**
   * Chain weights for every input miner (ineligible ones at 0), ascending by uid, summing to
   * exactly 65535; `null` exactly when `reason` is set.
   */
  readonly weightsU16: U16Weights | null;
  /** Set exactly when no miner is eligible. */
  readonly reason: NoWeightsReason | null;
  /** The parameters used, for the record. */
  readonly params: ScoringParams;
}

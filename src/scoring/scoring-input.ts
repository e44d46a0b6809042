/**
 * What scoring needs, as plain data: the scored envs with their current list sizes, the miners'
 * identities, and one aggregate row per miner×env over `results ∩ current list`. This is the
 * shape of a single `GROUP BY uid, env_id` query; no row for a pair means `n = 0`.
 */

/** A scored environment and the size of its current sampling list `|L_e|`. */
export interface ScoredEnv {
  /** Unique, non-empty. Envs are reported in ascending code-unit order of their id. */
  readonly envId: string;
  /** `|L_e|`, an integer >= 1. */
  readonly listSize: number;
}

/** A miner as the chain (or the static miners file) knows it. */
export interface ScoredMiner {
  /** Unique integer in [0, 65535]. */
  readonly uid: number;
  readonly hotkey: string;
  /** The committed revision; carried into the report, not used in the arithmetic. */
  readonly revision: string;
  /** Block of the miner's commitment: earlier commits win ties (first-commit advantage). Integer >= 0. */
  readonly committedBlock: number;
}

/**
 * Sums over the miner's results whose task id is in the env's current list. Scores are in
 * [0, 1] (success is 0/1 today: then `sum = sumSq = successes`); success rate = `sum / n`.
 */
export interface MinerEnvAggregate {
  readonly uid: number;
  readonly envId: string;
  /** Results counted, an integer in [0, |L_e|] (one result per task id). */
  readonly n: number;
  /** Σ score, in [0, n]. */
  readonly sum: number;
  /** Σ score², in [0, n]. */
  readonly sumSq: number;
}

/** Everything {@link computeScores} reads. Order of every array is irrelevant. */
export interface ScoringInput {
  readonly envs: readonly ScoredEnv[];
  readonly miners: readonly ScoredMiner[];
  readonly aggregates: readonly MinerEnvAggregate[];
}

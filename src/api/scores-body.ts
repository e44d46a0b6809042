import type { ScoreSnapshotRow } from '../db/tables/score-snapshots.ts';
import type { StoredScoreReport } from '../scoring/stored-report.ts';

/** One miner in one scored env, as `/v1/scores/*` shows it. */
export interface MinerEnvScoreBody {
  readonly n: number;
  readonly coverage: number;
  readonly eligible: boolean;
  readonly success_rate: number | null;
  readonly std: number | null;
  readonly threshold: number | null;
}

/** One miner, as `/v1/scores/*` shows it. */
export interface MinerScoreBody {
  readonly uid: number;
  readonly hotkey: string;
  readonly revision: string;
  readonly committed_block: number;
  readonly eligible: boolean;
  readonly points: number;
  readonly subsets_won: number;
  readonly weight: number;
  /** The chain weight this pass gave it; null when the pass had no weights. */
  readonly weight_u16: number | null;
  readonly on_frontier: boolean;
  /** By env id. */
  readonly envs: Readonly<Record<string, MinerEnvScoreBody>>;
}

/** The body of `GET /v1/scores/latest` and `/v1/scores/{id}`. */
export interface ScoresBody {
  readonly id: number;
  /** The weights row this pass published; null for the live snapshot (it published nothing). */
  readonly weights_id: number | null;
  readonly block_number: number;
  readonly computed_at: string;
  readonly computation_ms: number;
  /** When this snapshot was first written (for the live one: when the stretch without a publication began). */
  readonly created_at: string;
  readonly eligible_count: number;
  /** Why this pass published nothing (no eligible miner, block not advanced); null otherwise. */
  readonly reason: string | null;
  readonly params: Readonly<Record<string, number>>;
  readonly envs: readonly { readonly env_id: string; readonly list_size: number; readonly epsilon: number | null }[];
  /** Uids on the ε-Pareto frontier, ascending. */
  readonly frontier: readonly number[];
  readonly miners: readonly MinerScoreBody[];
}

/** The public view of a score snapshot (snake_case, per-env scores keyed by env id). */
export function scoresBody(row: ScoreSnapshotRow): ScoresBody {
  const report = row.report as unknown as StoredScoreReport;
  const u16 = new Map<number, number>();
  report.weightsU16?.uids.forEach((uid, i) => u16.set(uid, report.weightsU16!.values[i]!));
  const p = report.params;
  return {
    id: row.id,
    weights_id: row.weights_id,
    block_number: row.block_number,
    computed_at: report.computedAt,
    computation_ms: Math.round(report.computationMs * 10) / 10,
    created_at: row.created_at.toISOString(),
    eligible_count: row.eligible_count,
    reason: row.reason,
    params: {
      min_coverage: p.minCoverage,
      temperature: p.temperature,
      threshold_z: p.thresholdZ,
      threshold_min_gap: p.thresholdMinGap,
      threshold_max_gap: p.thresholdMaxGap,
      epsilon_min: p.epsilonMin,
      epsilon_max: p.epsilonMax,
    },
    envs: report.envs.map((e) => ({ env_id: e.envId, list_size: e.listSize, epsilon: e.epsilon })),
    frontier: report.miners.filter((m) => m.onFrontier).map((m) => m.uid),
    miners: report.miners.map((m) => ({
      uid: m.uid,
      hotkey: m.hotkey,
      revision: m.revision,
      committed_block: m.committedBlock,
      eligible: m.eligible,
      points: m.points,
      subsets_won: m.subsetsWon,
      weight: m.weight,
      weight_u16: u16.get(m.uid) ?? null,
      on_frontier: m.onFrontier,
      envs: Object.fromEntries(
        m.envs.map((e) => [
          e.envId,
          { n: e.n, coverage: e.coverage, eligible: e.eligible, success_rate: e.successRate, std: e.std, threshold: e.threshold },
        ]),
      ),
    })),
  };
}

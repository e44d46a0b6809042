/**
 * One scoring pass, from aggregates to weights:
 *
 * 1. per miner×env: `n`, `coverage = n/|L_e|`, `sr = sum/n`, std, threshold (`threshold.ts`);
 * 2. eligibility: `coverage ≥ minCoverage` in every scored env (`coverage.ts`);
 * 3. eligible miners compete on every non-empty env subset S in `(committedBlock, uid)` order;
 *    the winner of S earns `|S|` points (`subset-winners.ts`);
 * 4. float weights = softmax(points / T) over the eligible miners; ineligible get 0 (`softmax.ts`);
 * 5. the ε-Pareto frontier among eligible miners (`pareto-frontier.ts`);
 * 6. u16 weights by largest remainder, summing to 65535 (`u16-weights.ts`).
 *
 * With no scored env, no miner, or no eligible miner the report has `weightsU16 = null` and a
 * `reason`; callers then keep the last published weights. Pure: no I/O, no clock, no randomness;
 * the same input in any order gives the same report.
 */
import { coverage as coverageOf, isEligible, meetsCoverage } from './coverage.ts';
import { envEpsilon, paretoFrontier } from './pareto-frontier.ts';
import type { EnvSummary, MinerEnvScore, MinerScore, NoWeightsReason, ScoreReport } from './score-report.ts';
import type { MinerEnvAggregate, ScoringInput } from './scoring-input.ts';
import { type ScoringParams, validateScoringParams } from './scoring-params.ts';
import { softmax } from './softmax.ts';
import { type Contender, subsetWinners } from './subset-winners.ts';
import { successStats } from './success-stats.ts';
import { threshold } from './threshold.ts';
import { toU16Weights } from './u16-weights.ts';
import { validateScoringInput } from './validate-scoring-input.ts';

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function noWeightsReason(input: ScoringInput, miners: readonly MinerScore[], params: ScoringParams): NoWeightsReason {
  if (input.envs.length === 0) return { code: 'no-scored-envs', message: 'no scored environment: nothing to score on' };
  if (miners.length === 0) return { code: 'no-miners', message: 'no miner to score' };
  // Point operators at the miner closest to eligibility and the env holding it back.
  let best: { uid: number; envId: string; coverage: number } | null = null;
  for (const m of miners) {
    const worst = m.envs.reduce((w, e) => (e.coverage < w.coverage ? e : w));
    if (best === null || worst.coverage > best.coverage) best = { uid: m.uid, envId: worst.envId, coverage: worst.coverage };
  }
  const closest = best === null ? '' : `; closest: uid ${best.uid} at ${best.coverage.toFixed(3)} in env ${best.envId}`;
  return {
    code: 'no-eligible-miner',
    message: `no eligible miner: none of ${miners.length} has coverage >= ${params.minCoverage} in every scored env${closest}`,
  };
}

/**
 * Scores every miner and, when at least one is eligible, derives float and u16 weights. Throws a
 * `ScoringInputError` for input that breaks the {@link ScoringInput} contract and a `RangeError`
 * for invalid params (e.g. `temperature <= 0`).
 */
export function computeScores(input: ScoringInput, params: ScoringParams): ScoreReport {
  validateScoringParams(params);
  validateScoringInput(input);

  const envs = [...input.envs].sort((a, b) => byCodeUnit(a.envId, b.envId));
  const envIndex = new Map(envs.map((e, j) => [e.envId, j]));
  const identities = [...input.miners].sort((a, b) => a.uid - b.uid);
  const minerIndex = new Map(identities.map((m, i) => [m.uid, i]));

  // aggregates[i][j], missing pairs as n = 0.
  const grid: MinerEnvAggregate[][] = identities.map((m) => envs.map((e) => ({ uid: m.uid, envId: e.envId, n: 0, sum: 0, sumSq: 0 })));
  for (const a of input.aggregates) grid[minerIndex.get(a.uid)!]![envIndex.get(a.envId)!] = a;

  const perEnv: MinerEnvScore[][] = grid.map((row) =>
    row.map((a, j) => {
      const listSize = envs[j]!.listSize;
      const stats = successStats(a);
      return {
        envId: a.envId,
        n: a.n,
        coverage: coverageOf(a.n, listSize),
        eligible: meetsCoverage(a.n, listSize, params.minCoverage),
        successRate: stats?.successRate ?? null,
        std: stats?.std ?? null,
        threshold: stats === null ? null : threshold(stats.successRate, a.n, params),
      };
    }),
  );
  const eligible = perEnv.map((row) =>
    isEligible(
      row.map((e) => e.coverage),
      params.minCoverage,
    ),
  );
  const eligibleIdx = identities.map((_, i) => i).filter((i) => eligible[i]);

  // minCoverage > 0, so an eligible miner has n >= 1 (hence a rate and a threshold) in every env.
  const contenders: Contender[] = eligibleIdx.map((i) => ({
    uid: identities[i]!.uid,
    committedBlock: identities[i]!.committedBlock,
    successRates: perEnv[i]!.map((e) => e.successRate!),
    thresholds: perEnv[i]!.map((e) => e.threshold!),
  }));
  const { wins, points } = subsetWinners(contenders, envs.length);
  const subsetsWon = new Map<number, number>();
  for (const w of wins) subsetsWon.set(w.winnerUid, (subsetsWon.get(w.winnerUid) ?? 0) + 1);

  const floatWeights = softmax(
    contenders.map((c) => points.get(c.uid)!),
    params.temperature,
  );
  const weightOf = new Map(contenders.map((c, k) => [c.uid, floatWeights[k]!]));

  const epsilons = envs.map((_, j) =>
    envEpsilon(
      eligibleIdx.map((i) => grid[i]![j]!),
      params,
    ),
  );
  const frontier = new Set(
    contenders.length === 0
      ? []
      : paretoFrontier(
          contenders,
          epsilons.map((e) => e!),
        ),
  );

  const miners: MinerScore[] = identities.map((m, i) => ({
    uid: m.uid,
    hotkey: m.hotkey,
    revision: m.revision,
    committedBlock: m.committedBlock,
    eligible: eligible[i]!,
    points: points.get(m.uid) ?? 0,
    subsetsWon: subsetsWon.get(m.uid) ?? 0,
    weight: weightOf.get(m.uid) ?? 0,
    onFrontier: frontier.has(m.uid),
    envs: perEnv[i]!,
  }));
  const envSummaries: EnvSummary[] = envs.map((e, j) => ({ envId: e.envId, listSize: e.listSize, epsilon: epsilons[j]! }));

  const reason = contenders.length === 0 ? noWeightsReason(input, miners, params) : null;
  return {
    envs: envSummaries,
    miners,
    eligibleCount: contenders.length,
    weightsU16: reason === null ? toU16Weights(miners) : null,
    reason,
    params: { ...params },
  };
}

/**
 * Why a miner's score is what it is, from a stored scoring pass alone: the answer to a miner's or
 * an operator's "why is my weight low" (`GET /v1/miners/{uid}`, the dashboard's miner panel).
 *
 * Ineligible: the envs whose coverage is below `minCoverage`, with the results still missing.
 * Eligible: per env, the single-env contest replayed in commit order (the same rule as
 * `subset-winners.ts`): who held the env when this miner's turn came and whether it beat them,
 * and who took the env from it later. Multi-env subsets follow the same rule on every env at
 * once, so these per-env lines are what a miner improves on. Pure: the report in, facts out.
 */
import { meetsCoverage } from './coverage.ts';
import type { MinerScore, ScoreReport } from './score-report.ts';
import { commitOrder, exceedsThreshold } from './subset-winners.ts';

/** An env where the miner's coverage keeps it out of the competition. */
export interface CoverageShortfall {
  readonly envId: string;
  readonly n: number;
  readonly listSize: number;
  readonly coverage: number;
  /** More results in the current list it needs to reach `minCoverage`. */
  readonly missing: number;
}

/** Another miner as an explanation names it. */
export interface Rival {
  readonly uid: number;
  readonly committedBlock: number;
  readonly successRate: number;
  readonly threshold: number;
}

/** One env's single-env contest, seen from the explained miner. */
export interface EnvContest {
  readonly envId: string;
  readonly successRate: number;
  readonly threshold: number;
  /**
   * `holds`: it wins the env. `not-exceeded`: at its turn it did not strictly exceed the holder's
   * threshold. `taken`: it won the env, then a later miner exceeded its own threshold.
   */
  readonly outcome: 'holds' | 'not-exceeded' | 'taken';
  /** The holder it failed to exceed (`not-exceeded`) or the miner that took the env (`taken`). */
  readonly rival: Rival | null;
  /** The uid that wins the env in the end. */
  readonly winnerUid: number;
}

/** The explanation of one miner's outcome in one pass. */
export interface ScoreExplanation {
  readonly uid: number;
  readonly eligible: boolean;
  readonly weight: number;
  readonly points: number;
  readonly subsetsWon: number;
  /** `2^E − 1`: every non-empty subset of the scored envs. */
  readonly subsets: number;
  readonly minCoverage: number;
  /** Why the pass published no weights (no scored env, no eligible miner), or null: the last published weights then stand. */
  readonly unpublished: string | null;
  /** Envs below `minCoverage` (empty when eligible). */
  readonly shortfalls: readonly CoverageShortfall[];
  /** One per scored env when eligible (empty when not). */
  readonly contests: readonly EnvContest[];
  /** One plain sentence. */
  readonly summary: string;
}

/** The smallest n ≤ listSize that meets the coverage (the test coverage.ts applies), from its estimate. */
function neededResults(listSize: number, minCoverage: number): number {
  let n = Math.min(listSize, Math.max(0, Math.ceil(minCoverage * listSize)));
  while (n > 0 && meetsCoverage(n - 1, listSize, minCoverage)) n--;
  while (n < listSize && !meetsCoverage(n, listSize, minCoverage)) n++;
  return n;
}

const pct = (x: number, digits = 1): string => `${(x * 100).toFixed(digits)}%`;

/** A rate and the threshold it is compared with, with the digits that tell them apart ("80.0% vs 80.0%" reads as a tie). */
function pctPair(rate: number, threshold: number): [string, string] {
  let digits = 1;
  while (digits < 4 && pct(rate, digits) === pct(threshold, digits)) digits++;
  return [pct(rate, digits), pct(threshold, digits)];
}
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function rivalOf(m: MinerScore, j: number): Rival {
  const e = m.envs[j]!;
  return { uid: m.uid, committedBlock: m.committedBlock, successRate: e.successRate!, threshold: e.threshold! };
}

/** The single-env contest of env `j` among the eligible miners, as `uid` saw it. */
function contest(report: ScoreReport, eligible: readonly MinerScore[], uid: number, j: number): EnvContest {
  let holder = eligible[0]!;
  let outcome: EnvContest['outcome'] = holder.uid === uid ? 'holds' : 'not-exceeded';
  let rival: Rival | null = null;
  for (const m of eligible.slice(1)) {
    const takes = exceedsThreshold(m.envs[j]!.successRate!, holder.envs[j]!.threshold!);
    if (m.uid === uid) {
      if (takes) outcome = 'holds';
      else rival = rivalOf(holder, j);
    } else if (takes && holder.uid === uid) {
      outcome = 'taken';
      rival = rivalOf(m, j);
    }
    if (takes) holder = m;
  }
  const self = eligible.find((m) => m.uid === uid)!;
  return {
    envId: report.envs[j]!.envId,
    successRate: self.envs[j]!.successRate!,
    threshold: self.envs[j]!.threshold!,
    outcome,
    rival: outcome === 'holds' ? null : rival,
    winnerUid: holder.uid,
  };
}

function summaryOf(x: Omit<ScoreExplanation, 'summary'>, envCount: number): string {
  const standing = 'this pass published no weights, so the last published weights stand';
  if (envCount === 0) return `Nothing to judge: ${x.unpublished ?? 'no scored environment'}; ${standing}.`;
  if (!x.eligible) {
    const envs = x.shortfalls.map((s) => `${s.envId} (${pct(s.coverage)}, ${s.missing} more results needed)`).join(', ');
    const gaps = `coverage is below ${pct(x.minCoverage)} in ${envs}. Missing results come from tasks not yet run, or run and not scored (see the errors)`;
    return x.unpublished === null ? `Not eligible, so weight 0: ${gaps}.` : `Not eligible: ${gaps}. No miner is eligible, so ${standing}.`;
  }
  if (x.points === 0) {
    const lost = x.contests.map((c) => {
      if (c.outcome === 'taken') {
        const [theirs, threshold] = pctPair(c.rival!.successRate, c.threshold);
        return `${c.envId}: uid ${c.rival!.uid} (committed later) exceeded its threshold ${threshold} with ${theirs}`;
      }
      const [rate, threshold] = pctPair(c.successRate, c.rival!.threshold);
      return `${c.envId}: ${rate} does not exceed uid ${c.rival!.uid}'s threshold ${threshold} (committed at block ${c.rival!.committedBlock})`;
    });
    return `Eligible, but wins none of the ${plural(x.subsets, 'env subset')}, so its weight is the floor of the softmax: ${lost.join('; ')}.`;
  }
  const held = x.contests.filter((c) => c.outcome === 'holds').map((c) => c.envId);
  return `Eligible; wins ${x.subsetsWon} of ${plural(x.subsets, 'env subset')} (${plural(x.points, 'point')})${held.length ? `, holding ${held.join(', ')} alone` : ''}; weight ${pct(x.weight)}.`;
}

/** Explains `uid`'s outcome in `report`; undefined when the pass did not score that uid. */
export function explainScore(report: ScoreReport, uid: number): ScoreExplanation | undefined {
  const self = report.miners.find((m) => m.uid === uid);
  if (!self) return undefined;
  const minCoverage = report.params.minCoverage;
  const shortfalls = self.eligible
    ? []
    : self.envs
        .map((e, j) => ({ e, listSize: report.envs[j]!.listSize }))
        .filter(({ e }) => !e.eligible)
        .map(({ e, listSize }) => ({
          envId: e.envId,
          n: e.n,
          listSize,
          coverage: e.coverage,
          missing: neededResults(listSize, minCoverage) - e.n,
        }));
  const eligible = commitOrder(report.miners.filter((m) => m.eligible));
  const contests = self.eligible ? report.envs.map((_, j) => contest(report, eligible, uid, j)) : [];
  const facts = {
    uid,
    eligible: self.eligible,
    weight: self.weight,
    points: self.points,
    subsetsWon: self.subsetsWon,
    subsets: 2 ** report.envs.length - 1,
    minCoverage,
    unpublished: report.reason?.message ?? null,
    shortfalls,
    contests,
  };
  return { ...facts, summary: summaryOf(facts, report.envs.length) };
}

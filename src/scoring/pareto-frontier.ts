/**
 * ε-Pareto frontier, reported with the scores (it does not change the weights).
 *
 * Tolerance per env j: `eps_j = clip(2·std_j / sqrt(n_j), epsilonMin, epsilonMax)`, two standard
 * errors of a success rate, where over the eligible miners of env j
 *   - `std_j = sqrt(Σ_m (sumSq_m − sum_m²/n_m) / Σ_m n_m)`: the pooled within-miner standard
 *     deviation of one result's score (for 0/1 successes, the mean of `sr_m·(1 − sr_m)` weighted
 *     by `n_m`, square-rooted); it measures sampling noise, not how far apart the miners are;
 *   - `n_j = min_m n_m`: the least-sampled miner, so the tolerance is never tighter than the
 *     noisiest estimate it has to cover.
 *
 * Dominance, exactly: `a` ε-dominates `b` iff for every env j `sr_a[j] ≥ sr_b[j] − eps_j` and for
 * at least one env j `sr_a[j] > sr_b[j] + eps_j`. A miner is on the frontier iff no other
 * eligible miner ε-dominates it. Copies never dominate each other. ε-dominance is not transitive
 * and can cycle with three or more envs, so in contrived cases the frontier can be empty.
 */
import { clip } from './clip.ts';
import type { ScoringParams } from './scoring-params.ts';
import type { ScoreSums } from './success-stats.ts';

/** The parameters the tolerance reads. */
export type EpsilonBounds = Pick<ScoringParams, 'epsilonMin' | 'epsilonMax'>;

/** One eligible miner's success rates, indexed by env in the caller's order. */
export interface FrontierPoint {
  readonly uid: number;
  readonly successRates: readonly number[];
}

/** `clip(2·std / sqrt(n), epsilonMin, epsilonMax)`; `n = 0` gives `epsilonMax`. */
export function paretoEpsilon(std: number, n: number, bounds: EpsilonBounds): number {
  if (n <= 0) return bounds.epsilonMax;
  return clip((2 * std) / Math.sqrt(n), bounds.epsilonMin, bounds.epsilonMax);
}

/**
 * `eps_j` of one env from the aggregates of its eligible miners (pooled within-miner std, least
 * n; see the module comment). Entries with `n = 0` carry no information and are skipped; `null`
 * when nothing is left.
 */
export function envEpsilon(sums: readonly ScoreSums[], bounds: EpsilonBounds): number | null {
  let within = 0;
  let total = 0;
  let least = Number.POSITIVE_INFINITY;
  for (const s of sums) {
    if (s.n <= 0) continue;
    within += Math.max(0, s.sumSq - (s.sum * s.sum) / s.n);
    total += s.n;
    least = Math.min(least, s.n);
  }
  if (total === 0) return null;
  return paretoEpsilon(Math.sqrt(within / total), least, bounds);
}

/** Whether `a` ε-dominates `b` (see the module comment for the exact rule). */
export function epsilonDominates(a: readonly number[], b: readonly number[], eps: readonly number[]): boolean {
  let strictlyBetter = false;
  for (let j = 0; j < eps.length; j++) {
    const x = a[j]!;
    const y = b[j]!;
    const e = eps[j]!;
    if (x < y - e) return false;
    if (x > y + e) strictlyBetter = true;
  }
  return strictlyBetter;
}

/**
 * The uids (ascending) of the points that no other point ε-dominates. O(M²·E). Throws a
 * `RangeError` when a point's rates do not match `eps` in length or a uid repeats.
 */
export function paretoFrontier(points: readonly FrontierPoint[], eps: readonly number[]): number[] {
  const seen = new Set<number>();
  for (const p of points) {
    if (seen.has(p.uid)) throw new RangeError(`paretoFrontier: duplicate uid ${p.uid}`);
    if (p.successRates.length !== eps.length) {
      throw new RangeError(`paretoFrontier: uid ${p.uid} has ${p.successRates.length} rates for ${eps.length} envs`);
    }
    seen.add(p.uid);
  }
  const frontier = points.filter((b) => !points.some((a) => a !== b && epsilonDominates(a.successRates, b.successRates, eps)));
  return frontier.map((p) => p.uid).sort((x, y) => x - y);
}

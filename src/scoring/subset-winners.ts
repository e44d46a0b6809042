/**
 * Subset winners with first-commit advantage. For every non-empty subset S of the scored envs,
 * the contenders are taken in order of `(committedBlock, uid)`; the first is the current winner
 * of S, and each later contender takes S over only if its success rate strictly exceeds the
 * current winner's threshold in every env of S. The final winner of S earns `|S|` points.
 *
 * Consequences: a copy of the winner (same rates, later commit) never takes anything; equal to
 * the threshold is not enough; with at least one contender every subset has a winner, so the
 * points always add up to `E·2^(E−1)` for E envs.
 *
 * Cost: the "does k beat c" answer for all envs at once is a bit mask precomputed for every pair
 * (k later than c), O(M²·E); each subset then costs O(M) mask tests, O(2^E·M) in all. At
 * 256 miners × 8 envs that is ~0.26 M comparisons plus 65 k mask tests.
 */

/** One miner in the competition. Arrays are indexed by env, in the caller's env order. */
export interface Contender {
  readonly uid: number;
  readonly committedBlock: number;
  /** Success rate per env. */
  readonly successRates: readonly number[];
  /** Threshold per env (see `threshold.ts`): what a later miner must strictly exceed. */
  readonly thresholds: readonly number[];
}

/** The winner of one subset. Bit j of `envMask` is env j in the caller's order. */
export interface SubsetWin {
  readonly envMask: number;
  readonly winnerUid: number;
  /** `|S|`, the points this subset is worth. */
  readonly points: number;
}

/** All subset winners, ordered by `envMask` ascending, and the points they add up to per uid. */
export interface SubsetWinners {
  /** Empty when there is no contender or no env. */
  readonly wins: readonly SubsetWin[];
  /** Every contender's uid, including those with 0 points. */
  readonly points: ReadonlyMap<number, number>;
}

/** 2^16 − 1 subsets is the most we agree to enumerate. */
export const MAX_SUBSET_ENVS = 16;

function popcount(x: number): number {
  let count = 0;
  for (let v = x; v !== 0; v &= v - 1) count++;
  return count;
}

/** Sorts contenders into commit order: earlier block first, lower uid first on the same block. */
export function commitOrder<T extends Pick<Contender, 'uid' | 'committedBlock'>>(contenders: readonly T[]): T[] {
  return [...contenders].sort((a, b) => a.committedBlock - b.committedBlock || a.uid - b.uid);
}

/** The rule in one env: a later contender takes over only by strictly exceeding the holder's threshold. */
export function exceedsThreshold(successRate: number, holderThreshold: number): boolean {
  return successRate > holderThreshold;
}

/**
 * Finds the winner of every non-empty subset of `envCount` envs and sums each contender's points.
 * Throws a `RangeError` on more than {@link MAX_SUBSET_ENVS} envs, arrays of the wrong length or
 * duplicate uids. Input order does not matter.
 */
export function subsetWinners(contenders: readonly Contender[], envCount: number): SubsetWinners {
  if (!Number.isInteger(envCount) || envCount < 0 || envCount > MAX_SUBSET_ENVS) {
    throw new RangeError(`subsetWinners: envCount must be an integer in [0, ${MAX_SUBSET_ENVS}], got ${envCount}`);
  }
  const points = new Map<number, number>();
  for (const c of contenders) {
    if (points.has(c.uid)) throw new RangeError(`subsetWinners: duplicate uid ${c.uid}`);
    if (c.successRates.length !== envCount || c.thresholds.length !== envCount) {
      throw new RangeError(`subsetWinners: uid ${c.uid} needs ${envCount} success rates and thresholds`);
    }
    points.set(c.uid, 0);
  }
  const order = commitOrder(contenders);
  const m = order.length;
  if (m === 0 || envCount === 0) return { wins: [], points };

  // beats[k·m + c]: envs where contender k (later) strictly exceeds contender c's threshold.
  const beats = new Uint32Array(m * m);
  for (let k = 1; k < m; k++) {
    const rates = order[k]!.successRates;
    for (let c = 0; c < k; c++) {
      const thresholds = order[c]!.thresholds;
      let mask = 0;
      for (let j = 0; j < envCount; j++) if (exceedsThreshold(rates[j]!, thresholds[j]!)) mask |= 1 << j;
      beats[k * m + c] = mask;
    }
  }

  const wins: SubsetWin[] = [];
  const subsetCount = 2 ** envCount;
  for (let s = 1; s < subsetCount; s++) {
    let champion = 0;
    for (let k = 1; k < m; k++) if ((beats[k * m + champion]! & s) === s) champion = k;
    const winnerUid = order[champion]!.uid;
    const worth = popcount(s);
    wins.push({ envMask: s, winnerUid, points: worth });
    points.set(winnerUid, points.get(winnerUid)! + worth);
  }
  return { wins, points };
}

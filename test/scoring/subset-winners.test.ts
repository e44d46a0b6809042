import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type Contender, type SubsetWin, subsetWinners } from '../../src/scoring/subset-winners.ts';

const c = (uid: number, committedBlock: number, successRates: number[], thresholds: number[]): Contender => ({
  uid,
  committedBlock,
  successRates,
  thresholds,
});

// The rule written as plainly as possible: per subset, walk the commit order and keep the champion.
function reference(contenders: readonly Contender[], envCount: number): SubsetWin[] {
  const order = [...contenders].sort((a, b) => a.committedBlock - b.committedBlock || a.uid - b.uid);
  const wins: SubsetWin[] = [];
  if (order.length === 0) return wins;
  for (let s = 1; s < 2 ** envCount; s++) {
    const envs = [...Array(envCount).keys()].filter((j) => (s >> j) & 1);
    let champion = order[0]!;
    for (const later of order.slice(1)) {
      if (envs.every((j) => later.successRates[j]! > champion.thresholds[j]!)) champion = later;
    }
    wins.push({ envMask: s, winnerUid: champion.uid, points: envs.length });
  }
  return wins;
}

describe('subsetWinners', () => {
  test('trade-off: each wins its single-env subset, the earlier keeps the full set', () => {
    // uid 1 (block 10): rates (0.8, 0.6), thresholds (0.86, 0.6735)
    // uid 2 (block 20): rates (0.95, 0.4)
    // {a}: 0.95 > 0.86 → uid 2 (1 pt); {b}: 0.4 ≤ 0.6735 → uid 1 (1 pt); {a,b}: fails b → uid 1 (2 pts)
    const { wins, points } = subsetWinners([c(2, 20, [0.95, 0.4], [0.98, 0.47]), c(1, 10, [0.8, 0.6], [0.86, 0.6735])], 2);
    assert.deepEqual(wins, [
      { envMask: 0b01, winnerUid: 2, points: 1 },
      { envMask: 0b10, winnerUid: 1, points: 1 },
      { envMask: 0b11, winnerUid: 1, points: 2 },
    ]);
    assert.deepEqual([...points].sort(), [
      [1, 3],
      [2, 1],
    ]);
  });

  test('a later miner only has to beat the current winner, not every earlier miner', () => {
    // A (block 1): 0.50, thr 0.575. B (block 2): 0.56 ≤ 0.575, stays behind; thr_B = 0.6345.
    // C (block 3): 0.60 > 0.575 (the current winner A's threshold) → C wins {a},
    // although 0.60 does not exceed B's threshold. (A rule that makes the winner beat every
    // earlier miner would give this subset to nobody.)
    const { wins } = subsetWinners([c(1, 1, [0.5], [0.575]), c(2, 2, [0.56], [0.6345]), c(3, 3, [0.6], [0.675])], 1);
    assert.deepEqual(wins, [{ envMask: 1, winnerUid: 3, points: 1 }]);
  });

  test('equal to the threshold is not enough; same block → lower uid is earlier', () => {
    const { points } = subsetWinners([c(9, 5, [0.6], [0.62]), c(4, 5, [0.5], [0.6])], 1);
    // uid 4 comes first (same block, lower uid); uid 9's 0.6 is not > 0.6
    assert.deepEqual([...points].sort(), [
      [4, 1],
      [9, 0],
    ]);
  });

  test('no contender or no env: no wins', () => {
    assert.deepEqual(subsetWinners([], 3).wins, []);
    assert.deepEqual(subsetWinners([c(1, 1, [], [])], 0), { wins: [], points: new Map([[1, 0]]) });
  });

  test('refuses bad shapes', () => {
    assert.throws(() => subsetWinners([c(1, 1, [0.5], [0.6])], 2), RangeError);
    assert.throws(() => subsetWinners([c(1, 1, [0.5], [0.6]), c(1, 2, [0.5], [0.6])], 1), /duplicate uid 1/);
    assert.throws(() => subsetWinners([], 17), RangeError);
  });

  test('laws: matches the plain rule, points add up to E·2^(E−1), input order is irrelevant', () => {
    const arb = fc.integer({ min: 1, max: 5 }).chain((envCount) =>
      fc.tuple(
        fc.constant(envCount),
        fc.uniqueArray(
          fc.record({
            uid: fc.integer({ min: 0, max: 300 }),
            committedBlock: fc.integer({ min: 0, max: 4 }),
            rates: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: envCount, maxLength: envCount }),
            gaps: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: envCount, maxLength: envCount }),
          }),
          { selector: (r) => r.uid, maxLength: 12 },
        ),
      ),
    );
    fc.assert(
      fc.property(arb, ([envCount, rows]) => {
        const contenders = rows.map((r) =>
          c(
            r.uid,
            r.committedBlock,
            r.rates.map((x) => x / 20),
            r.rates.map((x, j) => Math.min((x + r.gaps[j]!) / 20, 1)),
          ),
        );
        const got = subsetWinners(contenders, envCount);
        assert.deepEqual(got.wins, reference(contenders, envCount));
        const total = [...got.points.values()].reduce((s, p) => s + p, 0);
        assert.equal(total, contenders.length === 0 ? 0 : envCount * 2 ** (envCount - 1));
        assert.deepEqual(subsetWinners([...contenders].reverse(), envCount).wins, got.wins);
      }),
    );
  });
});

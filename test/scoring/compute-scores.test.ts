import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeScores } from '../../src/scoring/compute-scores.ts';
import type { ScoreReport } from '../../src/scoring/score-report.ts';
import { ScoringInputError } from '../../src/scoring/scoring-input-error.ts';
import { testScoringParams } from '../helpers/test-config.ts';
import { agg, assertClose, miner } from './build-input.ts';

// Defaults throughout: z 1.5, gaps [0.02, 0.10], T 1, minCoverage 0.8, eps in [0.01, 0.2].
const params = testScoringParams();
const twoEnvs = [
  { envId: 'b', listSize: 100 },
  { envId: 'a', listSize: 100 },
];
const close = assertClose;
const byUid = (r: ScoreReport, uid: number) => r.miners.find((m) => m.uid === uid)!;

// softmax([4, 0]) at T = 1: 1/(1 + e^−4) = 0.9820138 and e^−4/(1 + e^−4) = 0.0179862;
// ×65535 → 64356.2737 and 1178.7263: floors sum to 65534, the last unit goes to the larger remainder.
const W_4_0 = [0.9820137900379085, 0.017986209962091555];

describe('computeScores: hand-computed cases', () => {
  test('a copy of the leader (same rates, later commit) gets no points', () => {
    // uid 1 (block 10): a 80/100, b 60/100 → thresholds a 0.86, b 0.6734847 (see threshold.test.ts)
    // uid 2 (block 20): the same rates: 0.8 ≤ 0.86 → uid 1 keeps {a}, {b}, {a,b} → 1 + 1 + 2 = 4 points
    const r = computeScores(
      {
        envs: twoEnvs,
        miners: [miner(2, 20), miner(1, 10)],
        aggregates: [agg(2, 'a', 80, 100), agg(1, 'b', 60, 100), agg(1, 'a', 80, 100), agg(2, 'b', 60, 100)],
      },
      params,
    );
    assert.deepEqual(
      r.envs.map((e) => e.envId),
      ['a', 'b'],
    );
    assert.deepEqual(
      r.miners.map((m) => [m.uid, m.points, m.subsetsWon]),
      [
        [1, 4, 3],
        [2, 0, 0],
      ],
    );
    close(byUid(r, 1).weight, W_4_0[0]!);
    close(byUid(r, 2).weight, W_4_0[1]!);
    assert.deepEqual(r.weightsU16, { uids: [1, 2], values: [64356, 1179] });
    // Identical rates: neither ε-dominates the other.
    assert.deepEqual(
      r.miners.map((m) => m.onFrontier),
      [true, true],
    );
    close(byUid(r, 1).envs[0]!.threshold, 0.86);
    close(byUid(r, 1).envs[1]!.threshold, 0.6734846922834953);
    assert.equal(r.reason, null);
  });

  test('same committed block: the lower uid counts as earlier', () => {
    const r = computeScores(
      {
        envs: twoEnvs,
        miners: [miner(5, 10), miner(3, 10)],
        aggregates: [agg(5, 'a', 80, 100), agg(5, 'b', 60, 100), agg(3, 'a', 80, 100), agg(3, 'b', 60, 100)],
      },
      params,
    );
    assert.deepEqual(
      r.miners.map((m) => [m.uid, m.points]),
      [
        [3, 4],
        [5, 0],
      ],
    );
    assert.deepEqual(r.weightsU16, { uids: [3, 5], values: [64356, 1179] });
  });

  test('a real improvement on every env wins every subset', () => {
    // uid 1 (block 10): 50/100 in both → thresholds 0.5 + 1.5·sqrt(0.25/100) = 0.575
    // uid 2 (block 20): 70/100 in both: 0.7 > 0.575 everywhere → {a}, {b}, {a,b}: 4 points
    const r = computeScores(
      {
        envs: twoEnvs,
        miners: [miner(1, 10), miner(2, 20)],
        aggregates: [agg(1, 'a', 50, 100), agg(1, 'b', 50, 100), agg(2, 'a', 70, 100), agg(2, 'b', 70, 100)],
      },
      params,
    );
    assert.deepEqual(
      r.miners.map((m) => [m.uid, m.points]),
      [
        [1, 0],
        [2, 4],
      ],
    );
    // 1178.7263 → 1179 (larger remainder), 64356.2737 → 64356
    assert.deepEqual(r.weightsU16, { uids: [1, 2], values: [1179, 64356] });
    // eps = 2·sqrt((25 + 21)/200)/sqrt(100) = 0.0959166 per env; 0.7 > 0.5 + 0.0959 → uid 1 dominated
    close(r.envs[0]!.epsilon, 0.0959166304662544);
    assert.deepEqual(
      r.miners.map((m) => [m.uid, m.onFrontier]),
      [
        [1, false],
        [2, true],
      ],
    );
  });

  test('a trade-off keeps the earlier miner on the full set; each wins its single-env subset', () => {
    // uid 1 (block 10): a 0.80, b 0.60 → thr a 0.86, b 0.6734847
    // uid 2 (block 20): a 0.95, b 0.40
    // {a}: 0.95 > 0.86 → uid 2 (1); {b}: 0.40 ≤ 0.67 → uid 1 (1); {a,b}: uid 2 fails b → uid 1 (2)
    // points 3 and 1; softmax: 1/(1 + e^−2) = 0.8807971, 0.1192029
    // ×65535: 57723.0365 and 7811.9635 → floors 65534 → uid 2 gets the unit: 57723, 7812
    const r = computeScores(
      {
        envs: twoEnvs,
        miners: [miner(1, 10), miner(2, 20)],
        aggregates: [agg(1, 'a', 80, 100), agg(1, 'b', 60, 100), agg(2, 'a', 95, 100), agg(2, 'b', 40, 100)],
      },
      params,
    );
    assert.deepEqual(
      r.miners.map((m) => [m.uid, m.points, m.subsetsWon]),
      [
        [1, 3, 2],
        [2, 1, 1],
      ],
    );
    close(byUid(r, 1).weight, 0.8807970779778823);
    assert.deepEqual(r.weightsU16, { uids: [1, 2], values: [57723, 7812] });
    // eps_a = 2·sqrt((16 + 4.75)/200)/10 = 0.0644205, eps_b = 2·sqrt((24 + 24)/200)/10 = 0.0979796:
    // uid 2 is 0.2 worse on b (> eps_b), uid 1 is 0.15 worse on a (> eps_a) → both on the frontier
    close(r.envs[0]!.epsilon, 0.06442049363362563);
    close(r.envs[1]!.epsilon, 0.09797958971132711);
    assert.deepEqual(
      r.miners.map((m) => m.onFrontier),
      [true, true],
    );
  });

  test('ties: reaching the threshold exactly is not enough; equal points get equal weight; the u16 tie goes to the lower uid', () => {
    // one env, |L| = 10. uid 1 (block 1): 5/10 → gap 1.5·sqrt(0.25/10) = 0.237 → capped 0.10 → thr 0.6
    // uid 2 (block 2): 6/10 = 0.6, not > 0.6 → uid 1 stays; uid 3 (block 3): 0.7 > 0.6 → uid 3 wins {a}
    // points 0, 0, 1 → softmax: e/(e + 2) = 0.5761169, 1/(e + 2) = 0.2119416 twice
    // ×65535: 13889.59, 13889.59, 37755.82 → floors 65533, 2 units: uid 3 (.82), then uid 1 (tie .59 with uid 2)
    const r = computeScores(
      {
        envs: [{ envId: 'a', listSize: 10 }],
        miners: [miner(3, 3), miner(2, 2), miner(1, 1)],
        aggregates: [agg(1, 'a', 5, 10), agg(2, 'a', 6, 10), agg(3, 'a', 7, 10)],
      },
      params,
    );
    assert.equal(byUid(r, 1).envs[0]!.threshold, 0.6);
    assert.deepEqual(
      r.miners.map((m) => m.points),
      [0, 0, 1],
    );
    assert.equal(byUid(r, 1).weight, byUid(r, 2).weight);
    close(byUid(r, 3).weight, 0.5761168847658291);
    assert.deepEqual(r.weightsU16, { uids: [1, 2, 3], values: [13890, 13889, 37756] });
  });

  test('ineligible because of coverage: no points, no weight, off the frontier', () => {
    // uid 1: b has 79/100 = 0.79 < 0.8 → ineligible despite better rates
    // uid 2: a 80/100 = 0.8 (the boundary counts) → eligible, the only contender → all 4 points, weight 1
    const r = computeScores(
      {
        envs: twoEnvs,
        miners: [miner(1, 10), miner(2, 20)],
        aggregates: [agg(1, 'a', 100, 100), agg(1, 'b', 79, 79), agg(2, 'a', 40, 80), agg(2, 'b', 50, 100)],
      },
      params,
    );
    const m1 = byUid(r, 1);
    assert.deepEqual([m1.eligible, m1.points, m1.weight, m1.onFrontier], [false, 0, 0, false]);
    assert.deepEqual(
      m1.envs.map((e) => [e.envId, e.coverage, e.eligible]),
      [
        ['a', 1, true],
        ['b', 0.79, false],
      ],
    );
    assert.deepEqual([byUid(r, 2).eligible, byUid(r, 2).points, byUid(r, 2).weight], [true, 4, 1]);
    assert.equal(r.eligibleCount, 1);
    assert.deepEqual(r.weightsU16, { uids: [1, 2], values: [0, 65535] });
  });

  test('nobody eligible: no weights and a reason naming the closest miner', () => {
    const r = computeScores(
      {
        envs: twoEnvs,
        miners: [miner(1, 10), miner(2, 20)],
        aggregates: [agg(1, 'a', 100, 100), agg(1, 'b', 79, 79), agg(2, 'a', 10, 10)],
      },
      params,
    );
    assert.equal(r.weightsU16, null);
    assert.equal(r.reason?.code, 'no-eligible-miner');
    assert.match(r.reason.message, /uid 1 at 0\.790 in env b/);
    assert.ok(r.miners.every((m) => m.weight === 0 && m.points === 0 && !m.onFrontier));
    assert.deepEqual(
      r.envs.map((e) => e.epsilon),
      [null, null],
    );
    // No results at all in an env: rate, std and threshold are unknown, not 0.
    assert.deepEqual(byUid(r, 2).envs[1], {
      envId: 'b',
      n: 0,
      coverage: 0,
      eligible: false,
      successRate: null,
      std: null,
      threshold: null,
    });
  });

  test('no miners, or no scored env: a reason, no weights', () => {
    assert.equal(computeScores({ envs: twoEnvs, miners: [], aggregates: [] }, params).reason?.code, 'no-miners');
    const r = computeScores({ envs: [], miners: [miner(1, 1)], aggregates: [] }, params);
    assert.equal(r.reason?.code, 'no-scored-envs');
    assert.equal(r.weightsU16, null);
  });

  test('fractional scores: rate = sum/n, std from sumSq', () => {
    // sum 45.5, sumSq 30 over 100: sr 0.455, std = sqrt(0.30 − 0.455²) = sqrt(0.092975) = 0.3049180
    const r = computeScores(
      { envs: [{ envId: 'a', listSize: 100 }], miners: [miner(1, 1)], aggregates: [{ uid: 1, envId: 'a', n: 100, sum: 45.5, sumSq: 30 }] },
      params,
    );
    close(r.miners[0]!.envs[0]!.successRate, 0.455);
    close(r.miners[0]!.envs[0]!.std, 0.30491802176978644);
  });
});

describe('computeScores: refusals', () => {
  const input = { envs: twoEnvs, miners: [miner(1, 1)], aggregates: [agg(1, 'a', 1, 1)] };

  test('temperature must be > 0', () => {
    for (const temperature of [0, -1]) {
      assert.throws(
        () => computeScores(input, { ...params, temperature }),
        (e: unknown) => e instanceof RangeError && /temperature/.test(e.message),
      );
    }
    assert.throws(() => computeScores(input, { ...params, minCoverage: 0 }), /minCoverage/);
    assert.throws(() => computeScores(input, { ...params, thresholdMaxGap: 0.01 }), /thresholdMaxGap/);
  });

  test('input breaking the contract names the field', () => {
    const bad = (patch: object, field: RegExp): void =>
      assert.throws(
        () => computeScores({ ...input, ...patch }, params),
        (e: unknown) => e instanceof ScoringInputError && field.test(e.field),
      );
    bad({ aggregates: [agg(7, 'a', 1, 1)] }, /^aggregates\[0\]\.uid$/);
    bad({ aggregates: [agg(1, 'zz', 1, 1)] }, /^aggregates\[0\]\.envId$/);
    bad({ aggregates: [agg(1, 'a', 101, 101)] }, /^aggregates\[0\]\.n$/);
    bad({ aggregates: [agg(1, 'a', 5, 4)] }, /^aggregates\[0\]\.sum$/);
    bad({ aggregates: [agg(1, 'a', 1, 1), agg(1, 'a', 1, 1)] }, /^aggregates\[1\]$/);
    bad({ miners: [miner(1, 1), miner(1, 2)] }, /^miners\[1\]\.uid$/);
    bad({ miners: [miner(1, -1)] }, /^miners\[0\]\.committedBlock$/);
    bad({ envs: [{ envId: 'a', listSize: 0 }] }, /^envs\[0\]\.listSize$/);
    bad({ envs: [...twoEnvs, { envId: 'a', listSize: 3 }] }, /^envs\[2\]\.envId$/);
  });
});

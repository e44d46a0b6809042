import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envEpsilon, epsilonDominates, paretoEpsilon, paretoFrontier } from '../../src/scoring/pareto-frontier.ts';
import { testScoringParams } from '../helpers/test-config.ts';
import { assertClose } from './build-input.ts';

const bounds = testScoringParams(); // eps clipped to [0.01, 0.2]
const close = (actual: number | null, expected: number): void => assertClose(actual, expected, 1e-12);

describe('ε-dominance', () => {
  const eps = [0.25, 0.25]; // exact in binary, so the boundaries below are exact
  test('strictly better by more than eps somewhere, not worse by more than eps anywhere', () => {
    assert.equal(epsilonDominates([0.875, 0.375], [0.5, 0.5], eps), true); // +0.375 > 0.25, −0.125 ≥ −0.25
  });
  test('exactly eps better is not dominance; exactly eps worse is still allowed', () => {
    assert.equal(epsilonDominates([0.75, 0.5], [0.5, 0.5], eps), false); // 0.75 > 0.5 + 0.25 is false
    assert.equal(epsilonDominates([0.875, 0.25], [0.5, 0.5], eps), true); // 0.25 ≥ 0.5 − 0.25 holds
  });
  test('worse by more than eps anywhere is no dominance; copies do not dominate', () => {
    assert.equal(epsilonDominates([1, 0.125], [0.5, 0.5], eps), false);
    assert.equal(epsilonDominates([0.5, 0.5], [0.5, 0.5], eps), false);
  });
});

describe('epsilon per env', () => {
  test('pooled within-miner std over the least n', () => {
    // miner 1: 50/100 → Σ(x−mean)² = 50 − 50²/100 = 25; miner 2: 70/100 → 70 − 49 = 21
    // std = sqrt((25 + 21) / 200) = sqrt(0.23) = 0.4795832; eps = 2·0.4795832/sqrt(100) = 0.0959166
    close(
      envEpsilon(
        [
          { n: 100, sum: 50, sumSq: 50 },
          { n: 100, sum: 70, sumSq: 70 },
        ],
        bounds,
      ),
      0.0959166304662544,
    );
  });
  test('clipped to [epsilonMin, epsilonMax]; n = 0 rows skipped; nothing left → null', () => {
    // 2/4 → std 0.5; 2·0.5/sqrt(4) = 0.5 → 0.2
    close(
      envEpsilon(
        [
          { n: 4, sum: 2, sumSq: 2 },
          { n: 0, sum: 0, sumSq: 0 },
        ],
        bounds,
      ),
      0.2,
    );
    // all successes → std 0 → 0.01
    close(envEpsilon([{ n: 100, sum: 100, sumSq: 100 }], bounds), 0.01);
    assert.equal(envEpsilon([{ n: 0, sum: 0, sumSq: 0 }], bounds), null);
    assert.equal(paretoEpsilon(0.5, 0, bounds), 0.2);
  });
});

describe('paretoFrontier', () => {
  test('the dominated miner is off the frontier; a trade-off keeps both', () => {
    const eps = [0.1, 0.1];
    assert.deepEqual(
      paretoFrontier(
        [
          { uid: 2, successRates: [0.7, 0.7] },
          { uid: 1, successRates: [0.5, 0.5] },
        ],
        eps,
      ),
      [2],
    );
    assert.deepEqual(
      paretoFrontier(
        [
          { uid: 2, successRates: [0.95, 0.4] },
          { uid: 1, successRates: [0.8, 0.6] },
        ],
        eps,
      ),
      [1, 2],
    );
  });

  test('ε-dominance can cycle with three envs: then the frontier is empty', () => {
    // a − b = (0.11, −0.055, −0.055), b − c = (−0.055, 0.11, −0.055), c − a = (−0.055, −0.055, 0.11)
    const eps = [0.1, 0.1, 0.1];
    const pts = [
      { uid: 1, successRates: [0.5, 0.5, 0.5] },
      { uid: 2, successRates: [0.39, 0.555, 0.555] },
      { uid: 3, successRates: [0.445, 0.445, 0.61] },
    ];
    assert.deepEqual(paretoFrontier(pts, eps), []);
  });

  test('refuses mismatched lengths', () => {
    assert.throws(() => paretoFrontier([{ uid: 1, successRates: [0.5] }], [0.1, 0.1]), RangeError);
  });
});

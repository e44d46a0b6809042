import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { softmax } from '../../src/scoring/softmax.ts';

describe('softmax', () => {
  test('all-zero points give uniform weights', () => {
    assert.deepEqual(softmax([0, 0, 0, 0], 1), [0.25, 0.25, 0.25, 0.25]);
  });

  test('hand-computed: [3, 1] at T = 1 and T = 2', () => {
    // T = 1: e^3/(e^3 + e^1) = 1/(1 + e^−2) = 1/1.1353353 = 0.8807971
    const [a, b] = softmax([3, 1], 1);
    assert.ok(Math.abs(a! - 0.8807970779778823) < 1e-15 && Math.abs(b! - 0.11920292202211755) < 1e-15);
    // T = 2: 1/(1 + e^−1) = 1/1.3678794 = 0.7310586
    assert.ok(Math.abs(softmax([3, 1], 2)[0]! - 0.7310585786300049) < 1e-15);
  });

  test('stable for huge points and tiny temperatures (no NaN, no overflow)', () => {
    assert.deepEqual(softmax([1e308, 1e308, -1e308], 1), [0.5, 0.5, 0]);
    assert.deepEqual(softmax([1024, 0, 512], 1e-300), [1, 0, 0]);
    assert.deepEqual(softmax([5, 5], 1e-300), [0.5, 0.5]);
  });

  test('refuses T <= 0 or a non-finite T with a RangeError', () => {
    for (const t of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(
        () => softmax([1, 2], t),
        (e: unknown) => e instanceof RangeError && /temperature/.test(e.message),
      );
    }
    assert.throws(() => softmax([1, Number.NaN], 1), RangeError);
  });

  test('laws: sums to 1, equal inputs get equal weights, monotone in the inputs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 64 }),
        fc.double({ min: 1e-3, max: 100, noNaN: true }),
        (points, t) => {
          const w = softmax(points, t);
          assert.ok(Math.abs(w.reduce((s, x) => s + x, 0) - 1) < 1e-9);
          for (let i = 0; i < points.length; i++) {
            for (let j = 0; j < points.length; j++) {
              if (points[i] === points[j]) assert.equal(w[i], w[j]);
              if (points[i]! > points[j]!) assert.ok(w[i]! >= w[j]!);
            }
          }
        },
      ),
    );
  });
});

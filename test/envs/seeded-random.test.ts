import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SeededRandom } from '../../src/envs/seeded-random.ts';

const seed = fc.maxSafeNat();
const stream = fc.nat(1_000);

void describe('SeededRandom', () => {
  void test('the same seed and stream give the same draws', () => {
    fc.assert(
      fc.property(seed, stream, (s, k) => {
        const a = new SeededRandom(s, k);
        const b = new SeededRandom(s, k);
        for (let i = 0; i < 20; i++) assert.equal(a.next(), b.next());
      }),
    );
  });

  void test('draws are in [0, 1) and uniform() stays in its range', () => {
    fc.assert(
      fc.property(seed, fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 0, max: 1e6, noNaN: true }), (s, low, width) => {
        const r = new SeededRandom(s);
        for (let i = 0; i < 10; i++) {
          const x = r.next();
          assert.ok(x >= 0 && x < 1);
          const u = r.uniform(low, low + width);
          assert.ok(u >= low && u <= low + width);
        }
      }),
    );
  });

  void test('neighbouring seeds and streams give different sequences', () => {
    const first = (s: number, k = 0): number[] => {
      const r = new SeededRandom(s, k);
      return [r.next(), r.next(), r.next()];
    };
    assert.notDeepEqual(first(0), first(1));
    assert.notDeepEqual(first(2 ** 32), first(0));
    assert.notDeepEqual(first(5, 0), first(5, 1));
  });

  void test('the mean and spread look uniform and normal', () => {
    const r = new SeededRandom(42);
    const n = 20_000;
    let sum = 0;
    let sumNormal = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      sum += r.next();
      const z = r.normal();
      sumNormal += z;
      sumSquares += z * z;
    }
    assert.ok(Math.abs(sum / n - 0.5) < 0.01);
    assert.ok(Math.abs(sumNormal / n) < 0.03);
    assert.ok(Math.abs(sumSquares / n - 1) < 0.05);
  });

  void test('rejects seeds that are not non-negative safe integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) assert.throws(() => new SeededRandom(bad), RangeError);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { percentile } from '../../../src/cli/local-eval/percentile.ts';

void describe('percentile', () => {
  void test('nearest rank', () => {
    const values = [5, 1, 4, 2, 3];
    assert.equal(percentile(values, 50), 3);
    assert.equal(percentile(values, 0), 1);
    assert.equal(percentile(values, 100), 5);
    assert.equal(percentile(values, 99), 5);
    assert.equal(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        99,
      ),
      99,
    );
    assert.ok(Number.isNaN(percentile([], 50)));
    assert.throws(() => percentile([1], 101), RangeError);
  });

  void test('laws: a member of the values, monotone in p, input untouched', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ noNaN: true }), { minLength: 1 }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        (values, p, q) => {
          const copy = [...values];
          const a = percentile(values, Math.min(p, q));
          const b = percentile(values, Math.max(p, q));
          assert.ok(values.includes(a));
          assert.ok(a <= b);
          assert.deepEqual(values, copy);
        },
      ),
    );
  });
});

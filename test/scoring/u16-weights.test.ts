import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { toU16Weights, U16_TOTAL } from '../../src/scoring/u16-weights.ts';

describe('toU16Weights', () => {
  test('ordered by uid; an exact tie in remainders goes to the lower uid', () => {
    // quotas 32767.5 each: floors 32767 + 32767 = 65534, one unit missing, tie → uid 2
    assert.deepEqual(
      toU16Weights([
        { uid: 7, weight: 0.5 },
        { uid: 2, weight: 0.5 },
      ]),
      { uids: [2, 7], values: [32768, 32767] },
    );
  });

  test('largest remainder wins the missing unit', () => {
    // 0.9820138·65535 = 64356.2737, 0.0179862·65535 = 1178.7263: floors sum 65534 → uid 2 (.7263) gets +1
    assert.deepEqual(
      toU16Weights([
        { uid: 1, weight: 0.9820137900379085 },
        { uid: 2, weight: 0.017986209962091555 },
      ]),
      {
        uids: [1, 2],
        values: [64356, 1179],
      },
    );
  });

  test('uniform over three divides exactly; zeros stay zero; unnormalised input is normalised', () => {
    // 65535 / 3 = 21845
    assert.deepEqual(toU16Weights([1, 2, 3].map((uid) => ({ uid, weight: 1 / 3 }))).values, [21845, 21845, 21845]);
    assert.deepEqual(
      toU16Weights([
        { uid: 4, weight: 0 },
        { uid: 9, weight: 3 },
      ]),
      { uids: [4, 9], values: [0, 65535] },
    );
  });

  test('refuses empty totals, negative weights and duplicate uids', () => {
    assert.throws(() => toU16Weights([{ uid: 1, weight: 0 }]), /sum to 0/);
    assert.throws(() => toU16Weights([]), /sum to 0/);
    assert.throws(
      () =>
        toU16Weights([
          { uid: 1, weight: -0.1 },
          { uid: 2, weight: 1 },
        ]),
      /uid 1/,
    );
    assert.throws(
      () =>
        toU16Weights([
          { uid: 1, weight: 1 },
          { uid: 1, weight: 1 },
        ]),
      /duplicate uid 1/,
    );
  });

  test('laws: sum 65535, each value is the floor or ceiling of its quota, zeros stay zero, uids ascending', () => {
    const entries = fc.uniqueArray(
      fc.record({
        uid: fc.integer({ min: 0, max: 65535 }),
        weight: fc.oneof(fc.constant(0), fc.double({ min: 1e-12, max: 1e6, noNaN: true })),
      }),
      { selector: (e) => e.uid, minLength: 1, maxLength: 256 },
    );
    fc.assert(
      fc.property(entries, (es) => {
        fc.pre(es.some((e) => e.weight > 0));
        const out = toU16Weights(es);
        const total = es.reduce((s, e) => s + e.weight, 0);
        assert.equal(
          out.values.reduce((s, v) => s + v, 0),
          U16_TOTAL,
        );
        assert.deepEqual(
          out.uids,
          es.map((e) => e.uid).sort((a, b) => a - b),
        );
        out.uids.forEach((uid, i) => {
          const w = es.find((e) => e.uid === uid)!.weight;
          const v = out.values[i]!;
          assert.ok(Number.isInteger(v) && v >= 0 && v <= U16_TOTAL);
          const quota = (w / total) * U16_TOTAL;
          assert.ok(v === Math.floor(quota) || v === Math.floor(quota) + 1, `uid ${uid}: ${v} for quota ${quota}`);
          if (w === 0) assert.equal(v, 0);
        });
      }),
    );
  });
});

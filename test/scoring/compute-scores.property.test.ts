import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { computeScores } from '../../src/scoring/compute-scores.ts';
import type { ScoringInput } from '../../src/scoring/scoring-input.ts';
import { inputArb, paramsArb } from './scoring-arbitraries.ts';

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe('computeScores: laws', () => {
  test('float weights sum to 1 when someone is eligible, else no weights and a reason', () => {
    fc.assert(
      fc.property(inputArb, paramsArb, (input, params) => {
        const r = computeScores(input, params);
        const sum = r.miners.reduce((s, m) => s + m.weight, 0);
        if (r.eligibleCount > 0) {
          assert.ok(Math.abs(sum - 1) < 1e-9, `sum ${sum}`);
          assert.equal(r.reason, null);
        } else {
          assert.equal(sum, 0);
          assert.notEqual(r.reason, null);
          assert.equal(r.weightsU16, null);
        }
        for (const m of r.miners) {
          if (!m.eligible) assert.deepEqual([m.weight, m.points, m.onFrontier], [0, 0, false]);
        }
      }),
    );
  });

  test('u16 weights: exactly 65535, non-negative integers, one per miner, uids ascending, 0 for ineligible', () => {
    fc.assert(
      fc.property(inputArb, paramsArb, (input, params) => {
        const r = computeScores(input, params);
        if (r.weightsU16 === null) return;
        const { uids, values } = r.weightsU16;
        assert.equal(
          values.reduce((s, v) => s + v, 0),
          65535,
        );
        assert.ok(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 65535));
        assert.deepEqual(
          uids,
          input.miners.map((m) => m.uid).sort((a, b) => a - b),
        );
        uids.forEach((uid, i) => {
          if (!r.miners.find((m) => m.uid === uid)!.eligible) assert.equal(values[i], 0);
        });
      }),
    );
  });

  test('points add up to E·2^(E−1) among eligible miners and weights are monotone in points', () => {
    fc.assert(
      fc.property(inputArb, paramsArb, (input, params) => {
        const r = computeScores(input, params);
        const eligible = r.miners.filter((m) => m.eligible);
        if (eligible.length === 0) return;
        const e = r.envs.length;
        assert.equal(
          eligible.reduce((s, m) => s + m.points, 0),
          e * 2 ** (e - 1),
        );
        for (const a of eligible) {
          for (const b of eligible) {
            if (a.points === b.points) assert.equal(a.weight, b.weight);
            if (a.points > b.points) assert.ok(a.weight >= b.weight);
          }
        }
      }),
    );
  });

  test('the report does not depend on the order of envs, miners or aggregates', () => {
    fc.assert(
      fc.property(inputArb, paramsArb, fc.integer(), (input, params, seed) => {
        const reordered: ScoringInput = {
          envs: shuffled(input.envs, seed),
          miners: shuffled(input.miners, seed + 1),
          aggregates: shuffled(input.aggregates, seed + 2),
        };
        assert.deepStrictEqual(computeScores(reordered, params), computeScores(input, params));
      }),
    );
  });
});

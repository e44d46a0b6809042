import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type AdmissionList, envCap, type MinerAdmissionInput, planMinerAdmissions } from '../../src/pool/admission.ts';
import { bucketAt, capRule, decodeBucket, encodeBucket } from '../../src/pool/hourly-cap.ts';

const at = new Date('2026-01-01T00:00:00Z');
function list(env: string, ids: number[], count = 1, intervalSeconds = 3_600): AdmissionList {
  return { env_id: env, task_ids: ids, rotation_count: count, rotation_interval_seconds: intervalSeconds, last_rotated_at: at };
}
function miner(
  o: {
    slots: number;
    inFlight?: Record<string, number>;
    taken?: Record<string, number[]>;
    results?: Record<string, number[]>;
    tokens?: Record<string, number>;
    paid?: Record<string, number[]>;
  },
  lists: AdmissionList[],
): MinerAdmissionInput {
  const byEnv = new Map(Object.entries(o.inFlight ?? {}));
  return {
    slots: o.slots,
    inFlight: [...byEnv.values()].reduce((a, b) => a + b, 0),
    inFlightByEnv: byEnv,
    candidates: (env) => {
      const l = lists.find((x) => x.env_id === env)!;
      return l.task_ids.flatMap((id, p) => ((o.results?.[env] ?? []).includes(id) ? [] : [p]));
    },
    taken: (env, id) => (o.taken?.[env] ?? []).includes(id),
    tokens: (env) => o.tokens?.[env] ?? 1_000,
    paid: (env, id) => (o.paid?.[env] ?? []).includes(id),
  };
}

describe('admission order of need', () => {
  test('oldest ids first, spread over envs, an env with nothing in flight first', () => {
    const lists = [list('a', [1, 2, 3, 4]), list('b', [10, 11, 12, 13])];
    const plan = planMinerAdmissions(miner({ slots: 4, inFlight: { a: 1 }, taken: { a: [1] } }, lists), lists, 1);
    assert.deepEqual(plan[0], { env: 'b', taskId: 10 }, 'b has nothing in flight');
    assert.deepEqual(plan.map((p) => `${p.env}${p.taskId}`).sort(), ['a2', 'b10', 'b11']);
  });

  test('then the largest deficit against the rotation rate: the env behind by more time', () => {
    // Same missing count; 'slow' rotates 1/h, 'fast' 10/h: 'slow' is 10× further behind.
    const lists = [list('fast', [1, 2, 3], 10), list('slow', [7, 8, 9], 1)];
    const plan = planMinerAdmissions(
      miner({ slots: 10, inFlight: { fast: 1, slow: 1 }, taken: { fast: [1], slow: [7] } }, lists),
      lists,
      1,
    );
    assert.equal(plan[0]!.env, 'slow');
  });

  test('no env above the share of the slots (at least one), no task without a token, nothing over the free slots', () => {
    const lists = [list('a', [1, 2, 3, 4, 5, 6]), list('b', [7])];
    assert.equal(envCap(1, 0.5), 1);
    assert.equal(envCap(7, 0.5), 3);
    const plan = planMinerAdmissions(miner({ slots: 7, results: { b: [7] } }, lists), lists, 0.5);
    assert.deepEqual(
      plan.map((p) => p.taskId),
      [1, 2, 3],
    );
    const capped = planMinerAdmissions(miner({ slots: 7, tokens: { a: 1.9, b: 0.5 } }, lists), lists, 1);
    assert.deepEqual(
      capped.map((p) => p.taskId),
      [1],
    );
  });

  test('laws: never more than the free slots, never a taken or evaluated id, never twice', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 12 }),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.array(fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]), { minLength: 3, maxLength: 3 }),
        (slots, busy, share, results) => {
          const lists = ['x', 'y', 'z'].map((e, i) =>
            list(
              e,
              [0, 1, 2, 3, 4, 5, 6, 7].map((k) => i * 10 + k),
            ),
          );
          const taken = { x: [0, 1].slice(0, Math.min(2, busy)) };
          const input = miner(
            {
              slots,
              inFlight: { x: Math.min(2, busy) },
              taken,
              results: { x: results[0]!, y: results[1]!.map((k) => 10 + k), z: results[2]!.map((k) => 20 + k) },
            },
            lists,
          );
          const plan = planMinerAdmissions(input, lists, share);
          assert.ok(plan.length <= Math.max(0, slots - input.inFlight));
          assert.equal(new Set(plan.map((p) => `${p.env}${p.taskId}`)).size, plan.length);
          for (const p of plan)
            assert.ok(
              !input.taken(p.env, p.taskId) &&
                input.candidates(p.env).some((pos) => lists.find((l) => l.env_id === p.env)!.task_ids[pos] === p.taskId),
            );
          for (const e of ['x', 'y', 'z'])
            assert.ok(
              plan.filter((p) => p.env === e).length + (input.inFlightByEnv.get(e) ?? 0) <=
                Math.max(envCap(slots, share), input.inFlightByEnv.get(e) ?? 0),
            );
        },
      ),
    );
  });
});

describe('the hourly-cap bucket', () => {
  test('starts full at the list size, refills at rotation rate × margin per hour, never above capacity', () => {
    const rule = capRule({ task_ids: new Array(100).fill(0), rotation_count: 5, rotation_interval_seconds: 1_800 }, 2);
    assert.equal(rule.capacity, 100);
    assert.equal(Math.round(rule.refillPerMs * 3_600_000), 20);
    const full = bucketAt(undefined, rule, 0);
    assert.equal(full.tokens, 100);
    const after = bucketAt({ tokens: 0, updatedAt: 0, paid: new Set() }, rule, 1_800_000);
    assert.equal(Math.round(after.tokens), 10);
    assert.equal(bucketAt({ tokens: 95, updatedAt: 0, paid: new Set() }, rule, 3_600_000 * 10).tokens, 100);
    assert.deepEqual(decodeBucket(encodeBucket(after)), {
      tokens: Number(after.tokens.toFixed(4)),
      updatedAt: after.updatedAt,
      paid: new Set(),
    });
    assert.equal(decodeBucket('garbage'), undefined);
    assert.equal(
      Math.round(capRule({ task_ids: [1], rotation_count: 0, rotation_interval_seconds: 60 }, 1).refillPerMs * 3_600_000),
      1,
      'at least one per hour',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type AdmissionList, planMinerAdmissions } from '../../src/pool/admission.ts';
import { type Bucket, bucketAt, capRule, charge, decodeBucket, encodeBucket, mayCreate, withPaid } from '../../src/pool/hourly-cap.ts';

const HOUR = 3_600_000;

/** What a top-up may do to one (identity, env) bucket, on a list of 4 ids that rotates. */
type Step =
  | { kind: 'wait'; ms: number }
  /** Create a task of the id at this list position (the pool wants it: listed, no result). */
  | { kind: 'create'; at: number }
  /** The task got a result: it is never wanted again. */
  | { kind: 'result'; at: number }
  /** A FIFO rotation of `n` ids (fresh ids from a counter). */
  | { kind: 'rotate'; n: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: HOUR }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('create' as const), at: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('result' as const), at: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('rotate' as const), n: fc.integer({ min: 1, max: 4 }) }) },
);

describe('the hourly cap charges new ids only', () => {
  test('laws: a given id is always created again for free; new ids within any window ≤ capacity + rate × margin × window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(step, { minLength: 1, maxLength: 120 }),
        (perHour, margin, steps) => {
          let list = [0, 1, 2, 3];
          let nextId = 4;
          const rule = capRule({ task_ids: list, rotation_count: perHour, rotation_interval_seconds: 3_600 }, margin);
          const perMs = rule.refillPerMs;
          const results = new Set<number>();
          const given = new Set<number>();
          let now = 0;
          let bucket: Bucket = bucketAt(undefined, rule, now);
          const charges: number[] = [];
          const firsts: number[] = [];
          for (const s of steps) {
            if (s.kind === 'wait') now += s.ms;
            else if (s.kind === 'rotate') list = [...list.slice(s.n), ...Array.from({ length: s.n }, () => nextId++)];
            else if (s.kind === 'result') results.add(list[s.at]!);
            else {
              const id = list[s.at]!;
              if (results.has(id)) continue; // never a candidate
              bucket = bucketAt(bucket, rule, now);
              const before = bucket;
              if (given.has(id))
                assert.ok(mayCreate(bucket, id), `id ${id} was given before: created again whatever the tokens (${bucket.tokens})`);
              if (!mayCreate(bucket, id)) continue;
              bucket = charge(bucket, id);
              if (bucket !== before) charges.push(now);
              else assert.equal(bucket.tokens, before.tokens, 'a paid id costs no token');
              if (!given.has(id)) firsts.push(now);
              given.add(id);
            }
            // Each write keeps the ids on the current list without a result (top-up.ts).
            const listed = new Set(list);
            bucket = withPaid(bucket, [], (id) => listed.has(id) && !results.has(id));
            for (const id of given) if (!listed.has(id) || results.has(id)) given.delete(id);
            assert.ok(bucket.paid.size <= list.length, 'the record never outgrows the list');
          }
          // Token bucket: charges in any window (s, t] ≤ capacity + refill × (t − s); distinct new ids ≤ charges.
          for (const times of [charges, firsts]) {
            for (let i = 0; i < times.length; i++) {
              for (let j = i; j < times.length; j++)
                assert.ok(
                  j - i + 1 <= rule.capacity + perMs * (times[j]! - times[i]!) + 1e-6,
                  `${j - i + 1} new ids in ${times[j]! - times[i]!} ms`,
                );
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('an adversary that gets its tasks deleted and re-created again and again gets no new id, and keeps no more tokens than an honest miner', () => {
    const rule = capRule({ task_ids: Array.from({ length: 8 }, (_, i) => i), rotation_count: 1, rotation_interval_seconds: 86_400 }, 2);
    let bucket = bucketAt(undefined, rule, 0);
    for (let id = 0; id < 8; id++) bucket = charge(bucket, id); // the first fill takes every token
    const drained = bucket.tokens;
    for (let round = 0; round < 100; round++) {
      for (let id = 0; id < 8; id++) {
        assert.ok(mayCreate(bucket, id));
        bucket = charge(bucket, id); // deleted (paused, trimmed) and created again
      }
    }
    assert.equal(bucket.tokens, drained, 're-creations neither cost nor give tokens');
    assert.equal(mayCreate(bucket, 100), false, 'a new id still needs a whole token');
    // The refill: rotation rate × margin, at least 1 per hour (2 per day here, so 1 per hour).
    assert.equal(mayCreate(bucketAt(bucket, rule, HOUR - 60_000), 100), false);
    assert.equal(mayCreate(bucketAt(bucket, rule, HOUR + 1_000), 100), true);
  });

  test('a new revision starts with a full bucket and no paid ids (it must be evaluated on the whole list)', () => {
    const rule = capRule({ task_ids: [1, 2, 3], rotation_count: 1, rotation_interval_seconds: 3_600 }, 1);
    assert.deepEqual(bucketAt(undefined, rule, 5), { tokens: 3, updatedAt: 5, paid: new Set() });
  });

  test('stored form: paid ids round-trip, the form without them still reads, garbage counts as a new bucket', () => {
    const bucket: Bucket = { tokens: 1.25, updatedAt: 1_700_000_000_000, paid: new Set([42, 7, 1_000_000]) };
    assert.equal(encodeBucket(bucket), '1.2500@1700000000000;7,42,1000000');
    assert.deepEqual(decodeBucket(encodeBucket(bucket)), bucket);
    assert.deepEqual(decodeBucket('3.0000@12'), { tokens: 3, updatedAt: 12, paid: new Set() });
    for (const bad of ['garbage', '1@2;', '1@2;a,b', '1@2;3,,4']) assert.equal(decodeBucket(bad), undefined, bad);
  });
});

describe('admission with the hourly cap', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  const list = (env: string, ids: number[]): AdmissionList => ({
    env_id: env,
    task_ids: ids,
    rotation_count: 1,
    rotation_interval_seconds: 3_600,
    last_rotated_at: at,
  });

  test('without tokens, only ids already paid for are admitted; new ids take the whole tokens left', () => {
    const lists = [list('a', [1, 2, 3, 4, 5, 6])];
    const input = (tokens: number, paid: number[]) => ({
      slots: 10,
      inFlight: 0,
      inFlightByEnv: new Map<string, number>(),
      candidates: () => [0, 1, 2, 3, 4, 5],
      taken: () => false,
      tokens: () => tokens,
      paid: (_env: string, id: number) => paid.includes(id),
    });
    assert.deepEqual(
      planMinerAdmissions(input(0.9, [3, 5]), lists, 1).map((p) => p.taskId),
      [3, 5],
    );
    assert.deepEqual(
      planMinerAdmissions(input(1, [3, 5]), lists, 1).map((p) => p.taskId),
      [1, 3, 5],
    );
    assert.deepEqual(
      planMinerAdmissions(input(2.5, []), lists, 1).map((p) => p.taskId),
      [1, 2],
    );
  });

  test('laws: new ids admitted ≤ whole tokens; every paid candidate admitted when slots and the env share allow', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.subarray([1, 2, 3, 4, 5, 6, 7, 8]),
        fc.integer({ min: 1, max: 12 }),
        (tokens, paid, slots) => {
          const ids = [1, 2, 3, 4, 5, 6, 7, 8];
          const plan = planMinerAdmissions(
            {
              slots,
              inFlight: 0,
              inFlightByEnv: new Map(),
              candidates: () => ids.map((_, p) => p),
              taken: () => false,
              tokens: () => tokens,
              paid: (_env, id) => paid.includes(id),
            },
            [list('a', ids)],
            1,
          );
          const fresh = plan.filter((p) => !paid.includes(p.taskId)).length;
          assert.ok(fresh <= Math.floor(tokens));
          assert.equal(plan.length, Math.min(slots, paid.length + Math.min(Math.floor(tokens), ids.length - paid.length)));
        },
      ),
    );
  });
});

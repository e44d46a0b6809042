import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RateLimiter } from '../../../src/api/limits/rate-limiter.ts';

const WINDOW = 60_000;

/** Requests as (key, gap in ms since the previous request): times never go back. */
const traffic = fc.array(
  fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 3 * WINDOW }))),
  {
    maxLength: 300,
  },
);

describe('RateLimiter laws', () => {
  test('no key gets more than the limit within any fixed window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 10 * WINDOW }), traffic, (limit, start, requests) => {
        const limiter = new RateLimiter({ limit, windowMs: WINDOW, maxKeys: 1_000 });
        const allowed = new Map<string, number>();
        let now = start;
        for (const [key, gap] of requests) {
          now += gap;
          if (!limiter.hit(key, now).allowed) continue;
          const bucket = `${key}@${Math.floor(now / WINDOW)}`;
          allowed.set(bucket, (allowed.get(bucket) ?? 0) + 1);
        }
        for (const [bucket, count] of allowed) assert.ok(count <= limit, `${bucket}: ${count} > ${limit}`);
      }),
      { numRuns: 300 },
    );
  });

  test('a refused client that waits Retry-After seconds gets through', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 10 * WINDOW }), traffic, (limit, start, requests) => {
        const limiter = new RateLimiter({ limit, windowMs: WINDOW, maxKeys: 1_000 });
        let now = start;
        for (const [key, gap] of requests) limiter.hit(key, (now += gap));
        // Push key "a" over its limit at the last instant, then wait as told.
        let refusal = limiter.hit('a', now);
        for (let i = 0; i <= limit && refusal.allowed; i++) refusal = limiter.hit('a', now);
        assert.equal(refusal.allowed, false);
        assert.ok(refusal.retryAfterSeconds >= 1);
        assert.ok(
          refusal.retryAfterSeconds <= (2 * WINDOW) / 1_000 + 1,
          `Retry-After ${refusal.retryAfterSeconds} s is longer than two windows`,
        );
        assert.equal(limiter.hit('a', now + refusal.retryAfterSeconds * 1_000).allowed, true);
      }),
      { numRuns: 500 },
    );
  });

  test('memory stays bounded: at most maxKeys per window, and idle keys are forgotten after two windows', () => {
    const limiter = new RateLimiter({ limit: 5, windowMs: WINDOW, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.hit(`ip-${i}`, 1_000 + i);
    assert.ok(limiter.size <= 100, `${limiter.size} keys kept`);
    limiter.hit('late', WINDOW + 10);
    assert.ok(limiter.size <= 101);
    limiter.hit('later', 3 * WINDOW + 10);
    assert.equal(limiter.size, 1, 'only the key of the current window is left');
  });

  test('the limit applies per key, and the previous window still counts in part', () => {
    const limiter = new RateLimiter({ limit: 2, windowMs: WINDOW, maxKeys: 10 });
    assert.equal(limiter.hit('x', 0).allowed, true);
    assert.equal(limiter.hit('x', 1).allowed, true);
    assert.equal(limiter.hit('x', 2).allowed, false);
    assert.equal(limiter.hit('y', 2).allowed, true, 'another key is not affected');
    // A quarter into the next window, 2 × 0.75 = 1.5 of the previous window still counts: room
    // for one request (1.5 + 0 < 2), not two (1.5 + 1 ≥ 2).
    assert.equal(limiter.hit('x', WINDOW + WINDOW / 4).allowed, true);
    assert.equal(limiter.hit('x', WINDOW + WINDOW / 4).allowed, false);
    // Three quarters in, 2 × 0.25 = 0.5 of it is left: 0.5 + 1 < 2.
    assert.equal(limiter.hit('x', WINDOW + (3 * WINDOW) / 4 + 1).allowed, true);
  });
});

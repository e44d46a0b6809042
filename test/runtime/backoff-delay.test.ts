import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { backoffDelay } from '../../src/runtime/backoff.ts';

test('backoffDelay doubles from the base for each retry and stops at the cap', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(n, 100, 1_000)),
    [100, 200, 400, 800, 1_000],
  );
});

test('backoffDelay is never above the cap nor below the base (for a cap at or above it), whatever the retry count', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 0, max: 60_000 }),
      fc.integer({ min: 0, max: 600_000 }),
      (n, base, extra) => {
        const max = base + extra;
        const delay = backoffDelay(n, base, max);
        return Number.isFinite(delay) && delay >= base && delay <= max;
      },
    ),
  );
});

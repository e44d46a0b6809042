import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nextSlots, slotHealth } from '../../../src/pool/slots/next-slots.ts';

const bounds = { min: 1, max: 32 };

test('the tiers of docs/design.md: ≥0.9 +2, ≥0.7 hold, ≥0.5 −3, ≥0.3 ×0.7, else ×0.5 (rounded down)', () => {
  assert.equal(nextSlots(10, 1, bounds), 12);
  assert.equal(nextSlots(10, 0.9, bounds), 12);
  assert.equal(nextSlots(10, 0.89, bounds), 10);
  assert.equal(nextSlots(10, 0.7, bounds), 10);
  assert.equal(nextSlots(10, 0.69, bounds), 7);
  assert.equal(nextSlots(10, 0.5, bounds), 7);
  assert.equal(nextSlots(10, 0.49, bounds), 7);
  assert.equal(nextSlots(11, 0.3, bounds), 7);
  assert.equal(nextSlots(11, 0.29, bounds), 5);
  assert.equal(nextSlots(11, 0, bounds), 5);
});

test('clamped to [min, max], also in the hold tier', () => {
  assert.equal(nextSlots(31, 1, bounds), 32);
  assert.equal(nextSlots(2, 0.6, bounds), 1);
  assert.equal(nextSlots(1, 0, bounds), 1);
  assert.equal(nextSlots(40, 0.8, bounds), 32);
  assert.equal(nextSlots(4, 0.8, { min: 8, max: 32 }), 8);
});

test('health = success_like / (success_like + miner_unavailable)', () => {
  assert.equal(slotHealth(9, 1), 0.9);
  assert.equal(slotHealth(0, 5), 0);
  assert.equal(slotHealth(0, 0), 1);
});

test('law: inside the bounds; a healthy miner never loses slots, an unhealthy one never gains', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 0, max: 60 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (min, current, health) => {
        const b = { min, max: min + 40 };
        const next = nextSlots(current, health, b);
        assert.ok(next >= b.min && next <= b.max);
        const clamped = Math.min(b.max, Math.max(b.min, current));
        if (health >= 0.7) assert.ok(next >= clamped);
        if (health < 0.7) assert.ok(next <= clamped);
      },
    ),
  );
});

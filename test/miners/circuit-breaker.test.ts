import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { CircuitBreaker } from '../../src/miners/circuit-breaker.ts';

function breaker(overrides: { threshold?: number; base?: number; max?: number; multiplier?: number } = {}) {
  const clock = { now: 0 };
  const b = new CircuitBreaker({
    failureThreshold: overrides.threshold ?? 3,
    baseCooldownMs: overrides.base ?? 1_000,
    maxCooldownMs: overrides.max ?? 5_000,
    cooldownMultiplier: overrides.multiplier ?? 2,
    now: () => clock.now,
  });
  return { b, clock };
}

function fail(b: CircuitBreaker, times = 1): void {
  for (let i = 0; i < times; i++) {
    const permit = b.tryAcquire();
    assert.ok(permit, 'expected a permit');
    permit.failure();
  }
}

void describe('CircuitBreaker', () => {
  void test('opens after N consecutive failures, not before', () => {
    const { b } = breaker();
    fail(b, 2);
    assert.equal(b.state, 'closed');
    fail(b, 1);
    assert.equal(b.state, 'open');
    assert.equal(b.openUntil, 1_000);
    assert.equal(b.tryAcquire(), undefined);
  });

  void test('a success in between resets the count', () => {
    const { b } = breaker();
    fail(b, 2);
    b.tryAcquire()!.success();
    fail(b, 2);
    assert.equal(b.state, 'closed');
    assert.equal(b.snapshot().consecutiveFailures, 2);
  });

  void test('half-open after the cool-down lets exactly one probe through; its success closes', () => {
    const { b, clock } = breaker();
    fail(b, 3);
    clock.now = 999;
    assert.equal(b.state, 'open');
    clock.now = 1_000;
    assert.equal(b.state, 'half_open');
    assert.equal(b.openUntil, null);
    const probe = b.tryAcquire();
    assert.ok(probe?.probe);
    assert.equal(b.tryAcquire(), undefined, 'one probe at a time');
    probe.success();
    assert.deepEqual(b.snapshot(), { state: 'closed', openUntil: null, consecutiveFailures: 0, openings: 0 });
    assert.ok(b.tryAcquire());
  });

  void test('a failed probe re-opens with a cool-down that grows up to the maximum', () => {
    const { b, clock } = breaker();
    fail(b, 3); // open for 1000
    const cooldowns: number[] = [];
    for (let i = 0; i < 5; i++) {
      clock.now = b.openUntil!;
      const probe = b.tryAcquire();
      assert.ok(probe?.probe);
      const at = clock.now;
      probe.failure();
      cooldowns.push(b.openUntil! - at);
    }
    assert.deepEqual(cooldowns, [2_000, 4_000, 5_000, 5_000, 5_000]);
    // After a success the cool-down starts small again.
    clock.now = b.openUntil!;
    b.tryAcquire()!.success();
    fail(b, 3);
    assert.equal(b.openUntil! - clock.now, 1_000);
  });

  void test('a released probe frees the slot without a verdict', () => {
    const { b, clock } = breaker();
    fail(b, 3);
    clock.now = 1_000;
    b.tryAcquire()!.release();
    assert.equal(b.state, 'half_open');
    assert.ok(b.tryAcquire()?.probe);
  });

  void test('a permit counts once, however often it is settled', () => {
    const { b } = breaker();
    const permit = b.tryAcquire()!;
    permit.failure();
    permit.failure();
    permit.failure();
    assert.equal(b.snapshot().consecutiveFailures, 1);
    assert.equal(b.state, 'closed');
  });

  void test('late failures of attempts started before the opening do not extend it', () => {
    const { b, clock } = breaker();
    const late = [b.tryAcquire()!, b.tryAcquire()!];
    fail(b, 3);
    clock.now = 500;
    late.forEach((p) => p.failure());
    assert.equal(b.openUntil, 1_000);
  });

  void test('refuses nonsense settings', () => {
    assert.throws(() => new CircuitBreaker({ failureThreshold: 0 }), RangeError);
    assert.throws(() => new CircuitBreaker({ baseCooldownMs: 10, maxCooldownMs: 5 }), RangeError);
    assert.throws(() => new CircuitBreaker({ cooldownMultiplier: 0.5 }), RangeError);
  });

  void test('law: open only after >= threshold failures since the last success; cool-downs within [base, max]', () => {
    const op = fc.oneof(
      fc.constant('fail' as const),
      fc.constant('ok' as const),
      fc.constant('release' as const),
      fc.integer({ min: 1, max: 3_000 }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(op, { maxLength: 60 }), (threshold, ops) => {
        const { b, clock } = breaker({ threshold });
        let sinceSuccess = 0;
        for (const o of ops) {
          if (typeof o === 'number') {
            clock.now += o;
            continue;
          }
          const permit = b.tryAcquire();
          if (permit === undefined) {
            assert.equal(b.state === 'open' || b.state === 'half_open', true);
            continue;
          }
          const before = clock.now;
          if (o === 'fail') {
            permit.failure();
            sinceSuccess++;
          } else if (o === 'ok') {
            permit.success();
            sinceSuccess = 0;
          } else permit.release();
          if (b.state !== 'closed') assert.ok(sinceSuccess >= threshold);
          const until = b.openUntil;
          if (until !== null) assert.ok(until - before <= 5_000 && until - before >= 0);
        }
      }),
    );
  });
});

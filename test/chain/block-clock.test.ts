import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { BlockClock } from '../../src/chain/block-clock.ts';
import { STATIC_CLOCK_GENESIS_MS } from '../../src/config/constants.ts';

describe('block clock', () => {
  test('12 s blocks from the documented genesis', () => {
    assert.equal(STATIC_CLOCK_GENESIS_MS, Date.parse('2024-01-01T00:00:00Z'));
    const clock = new BlockClock({ now: () => Date.parse('2024-01-01T00:01:00Z') });
    assert.equal(clock.currentBlock(), 5);
    assert.equal(clock.blockAt(STATIC_CLOCK_GENESIS_MS - 1), 0, 'never negative');
  });

  test('monotonic, one block per block time', () => {
    const clock = new BlockClock({ genesisMs: 0, blockTimeMs: 12_000 });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 45 }), fc.integer({ min: 0, max: 10 ** 9 }), (t, dt) => {
        const a = clock.blockAt(t);
        const b = clock.blockAt(t + dt);
        assert.ok(b >= a);
        assert.ok(b - a <= Math.ceil(dt / 12_000));
      }),
    );
  });

  test('refuses a block time that is not positive', () => {
    assert.throws(() => new BlockClock({ blockTimeMs: 0 }), RangeError);
  });
});

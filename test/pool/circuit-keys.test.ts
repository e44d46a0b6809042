import assert from 'node:assert/strict';
import { test } from 'node:test';
import { circuitKey, publishCircuitState, readOpenCircuits } from '../../src/pool/circuit-keys.ts';
import { useTestRedis } from '../helpers/test-redis.ts';

const redis = useTestRedis();

test('the key of a miner is `${prefix}:circuit:${hotkey}`', () => {
  assert.equal(circuitKey('evalpool', '5Abc'), 'evalpool:circuit:5Abc');
});

test('an open circuit lives exactly for the remaining cool-down and holds its end', async () => {
  const now = 1_000_000;
  await publishCircuitState(redis.redis, redis.prefix, '5Open', now + 30_000, now);
  const key = circuitKey(redis.prefix, '5Open');
  assert.equal(await redis.redis.get(key), String(now + 30_000));
  const ttl = await redis.redis.pttl(key);
  assert.ok(ttl > 29_000 && ttl <= 30_000, `PTTL ${ttl}`);
});

test('a cool-down already over closes the circuit (the key is deleted); a later state replaces an earlier one', async () => {
  const key = circuitKey(redis.prefix, '5Closing');
  await publishCircuitState(redis.redis, redis.prefix, '5Closing', Date.now() + 60_000);
  await publishCircuitState(redis.redis, redis.prefix, '5Closing', Date.now() + 5_000);
  assert.ok((await redis.redis.pttl(key)) <= 5_000);
  await publishCircuitState(redis.redis, redis.prefix, '5Closing', Date.now() - 1);
  assert.equal(await redis.redis.exists(key), 0);
});

test('readOpenCircuits answers for many miners in one round trip', async () => {
  const until = Date.now() + 60_000;
  await publishCircuitState(redis.redis, redis.prefix, '5A', until);
  await publishCircuitState(redis.redis, redis.prefix, '5C', until);
  const open = await readOpenCircuits(redis.redis, redis.prefix, ['5A', '5B', '5C']);
  assert.deepEqual([...open.entries()].sort(), [
    ['5A', until],
    ['5C', until],
  ]);
  assert.equal((await readOpenCircuits(redis.redis, redis.prefix, [])).size, 0);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LeaderLease, leaseOwner } from '../../src/scheduler/leader-lease.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';

const redisHandle = useTestRedis();

describe('the leader lease', () => {
  test('one holder at a time; only the holder renews or releases; a new term gets a new token', async () => {
    const key = `${redisHandle.prefix}:scheduler:lease`;
    const a = new LeaderLease(redisHandle.redis, key, 5_000, 'replica-a');
    const b = new LeaderLease(redisHandle.redis, key, 5_000, 'replica-b');
    const tokenA = await a.tryAcquire();
    assert.ok(tokenA);
    assert.equal(leaseOwner(tokenA), 'replica-a');
    assert.equal(await b.tryAcquire(), undefined);
    assert.equal(await b.renew('replica-b#forged'), false);
    assert.equal(await b.release('replica-b#forged'), false);
    assert.equal((await b.holder())?.owner, 'replica-a');
    assert.equal(await a.renew(tokenA), true);
    assert.ok(((await a.holder())?.ttlMs ?? 0) > 4_000);
    assert.equal(await a.release(tokenA), true);
    const tokenB = await b.tryAcquire();
    assert.ok(tokenB);
    assert.equal(await a.renew(tokenA), false, 'an old term can never extend the new one');
    const again = await a.tryAcquire();
    assert.equal(again, undefined);
    await b.release(tokenB);
    const second = await a.tryAcquire();
    assert.notEqual(second, tokenA, 'a token never comes back');
    await a.release(second!);
  });

  test('an expired lease can be taken', async () => {
    const key = `${redisHandle.prefix}:scheduler:lease-short`;
    const a = new LeaderLease(redisHandle.redis, key, 100, 'a');
    const b = new LeaderLease(redisHandle.redis, key, 100, 'b');
    assert.ok(await a.tryAcquire());
    const token = await waitFor('b to take the expired lease', () => b.tryAcquire());
    assert.equal(leaseOwner(token), 'b');
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { bucketField } from '../../src/pool/hourly-cap.ts';
import { poolKeys, queueKey } from '../../src/pool/pool-keys.ts';
import { range, seedActiveMiners, seedResult, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { currentLists, poolTasks, putList, usePoolPerTest } from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

describe('reconciliation and the paused-task TTL', () => {
  const { open } = usePoolPerTest(database, redisHandle, { EVALPOOL_MAX_ENV_SHARE: '1' });

  beforeEach(async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 6) });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 2);
    await seedSlots(database.db, 'hk2', 2);
  });

  test('an assigned task whose lock is gone is pending again after reconciliation; it kept its slot meanwhile', async () => {
    const { pool, consumer } = await open();
    await pool.topUp(await currentLists(database.db));
    const taken = (await consumer.take('env-a'))!;
    await consumer.abandon(taken); // the worker died: its lock is gone
    assert.equal((await pool.topUp(await currentLists(database.db))).created, 0, 'the orphan still holds its slot');
    const report = await pool.reconcile(await currentLists(database.db));
    assert.equal(report.orphansRecovered, 1);
    const job = (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a'])).find((t) => t.jobId === taken.job.id);
    assert.equal(job?.state, 'pending');
    const again = (await consumer.take('env-a'))!;
    assert.equal(again.job.id, taken.job.id, 'the same task is handed out again');
    assert.equal(again.job.attemptsMade, 0, 'a worker death is not an attempt');
  });

  test('jobs of unknown miners, retired ids or with a result are removed, pending or paused; stale buckets dropped', async () => {
    const { pool, consumer } = await open();
    await pool.topUp(await currentLists(database.db));
    const paused = (await consumer.take('env-a'))!;
    await consumer.fail(paused);
    await pool.topUp(await currentLists(database.db));
    const before = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a']);
    const pendingHk1 = before.find((t) => t.hotkey === 'hk1' && t.state === 'pending')!;
    // A worker wrote a result and died before completing: the task came back to pending.
    await seedResult(database.db, { env: 'env-a', task_id: pendingHk1.taskId, uid: 1, hotkey: 'hk1', revision: pendingHk1.revision });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]); // hk2 deregistered
    await redisHandle.redis.hset(poolKeys(redisHandle.prefix).buckets, bucketField('gone', 'r', 'env-a'), '1@1');

    const report = await pool.reconcile(await currentLists(database.db));
    const expectedInactive = before.filter((t) => t.hotkey === 'hk2').length;
    assert.equal(report.removed['miner-inactive'], expectedInactive, 'pending and paused of the gone miner');
    assert.equal(report.removed['has-result'], 1);
    assert.ok(report.bucketsDropped >= 1);
    const after = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a']);
    assert.equal(
      after.some((t) => t.hotkey === 'hk2'),
      false,
    );
    assert.equal(
      after.some((t) => t.jobId === pendingHk1.jobId),
      false,
    );
  });

  test('paused tasks past the TTL are deleted without ops and the next tick creates them again', async () => {
    const { pool, consumer } = await open({ EVALPOOL_PAUSED_TTL_SECONDS: '3600' });
    await pool.topUp(await currentLists(database.db));
    const first = (await consumer.take('env-a'))!;
    const second = (await consumer.take('env-a'))!;
    await consumer.fail(first);
    await consumer.fail(second);
    // Age one of them beyond the TTL (BullMQ's failed set is scored by the time of failure).
    await redisHandle.redis.zadd(queueKey(redisHandle.prefix, 'env-a', 'failed'), Date.now() - 2 * 3_600_000, String(first.job.id));
    const deleted = await pool.cleanPaused(await currentLists(database.db));
    assert.deepEqual(Object.fromEntries(deleted), { 'env-a': 1 });
    const paused = (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a'])).filter((t) => t.state === 'paused');
    assert.deepEqual(
      paused.map((t) => t.jobId),
      [second.job.id],
    );
    await pool.topUp(await currentLists(database.db));
    const recreated = (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a'])).find((t) => t.jobId === first.job.id);
    assert.equal(recreated?.state, 'pending', 'a task still wanted is created again once its paused job is gone');
  });
});

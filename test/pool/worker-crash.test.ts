import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
import { queueKey } from '../../src/pool/pool-keys.ts';
import { queueName } from '../../src/pool/task-job.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { currentLists, openPoolInTerm, poolConfig, poolTasks, putList } from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
const WORKER = fileURLToPath(new URL('./fixtures/stuck-worker.ts', import.meta.url));
const LOCK_MS = 2_000;

/** BullMQ's stalledCounter of every job of `env`, by job id. */
async function stalledCounters(pool: TaskPool, env: string): Promise<Map<string, number>> {
  const counters = new Map<string, number>();
  for (const task of await poolTasks(redisHandle.redis, redisHandle.prefix, [env])) {
    const job = await pool.queues.get(env).getJob(task.jobId);
    counters.set(task.jobId, job?.stalledCounter ?? -1);
  }
  return counters;
}

describe('a worker process killed with SIGKILL', () => {
  let pool: TaskPool | undefined;
  after(async () => {
    await pool?.close();
  });

  test('its assigned tasks go back to pending through the stalled check, with no worker attached and no attempt spent', async () => {
    await putList(database.db, { env_id: 'env-k', task_ids: [1, 2, 3, 4, 5, 6] });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 4);
    const config = poolConfig(redisHandle.prefix, {
      EVALPOOL_LOCK_DURATION_MS: String(LOCK_MS),
      EVALPOOL_STALLED_INTERVAL_MS: '5000',
      EVALPOOL_MAX_ENV_SHARE: '1',
    });
    const options = poolWorkerOptions(config.scheduler);
    ({ pool } = await openPoolInTerm(redisHandle.url, redisHandle.prefix, database.db, config));
    await pool.topUp(await currentLists(database.db)); // 4 pending; the leader's stalled checker starts

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        WORKER,
        redisHandle.url,
        redisHandle.prefix,
        'env-k',
        String(options.lockDuration),
        String(options.stalledInterval),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor('the worker took the 4 tasks', async () => {
        const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-k']);
        return tasks.length === 4 && tasks.every((t) => t.state === 'assigned');
      });
      // A window longer than the lock, in which a live worker must renew its locks: its length is the behaviour under test.
      await new Promise((r) => setTimeout(r, LOCK_MS));
      assert.ok(
        (await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-k'])).every((t) => t.state === 'assigned'),
        'a live worker keeps its tasks',
      );
      const stalledBefore = await stalledCounters(pool, 'env-k');
      child.kill('SIGKILL');
      await exited;
      const returned = await waitFor('the 4 tasks pending again, no worker attached', async () => {
        const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-k']);
        return tasks.length === 4 && tasks.every((t) => t.state === 'pending') ? tasks : undefined;
      });
      for (const task of returned)
        assert.equal(
          await redisHandle.redis.exists(queueKey(redisHandle.prefix, queueName('env-k'), `${task.jobId}:lock`)),
          0,
          'no lock: no worker holds it',
        );
      // The mechanism, not a duration: BullMQ's stalled check (the leader's, as the worker is dead)
      // is what counts a move in the job's stalledCounter; a retry or a new job would not.
      const stalledAfter = await stalledCounters(pool, 'env-k');
      for (const [jobId, before] of stalledBefore)
        assert.ok(
          (stalledAfter.get(jobId) ?? 0) > before,
          `${jobId} moved back by the stalled check (stalledCounter ${before} → ${stalledAfter.get(jobId)})`,
        );
      for (const task of returned) {
        const job = await pool.queues.get('env-k').getJob(task.jobId);
        assert.equal(job?.attemptsMade, 0, 'a worker death is not an attempt');
      }
      assert.equal((await pool.topUp(await currentLists(database.db))).created, 0, 'the slots are still held by the returned tasks');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});

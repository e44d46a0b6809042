import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { queueKey } from '../../src/pool/pool-keys.ts';
import { queueName } from '../../src/pool/task-job.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { currentLists, poolTasks } from './pool-fixture.ts';
import {
  openStuckScenario,
  STUCK_ENV,
  STUCK_TASKS,
  startStuckWorker,
  stuckTasksAllIn,
  waitForLockRenewals,
} from './stuck-worker-scenario.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

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
    const scenario = await openStuckScenario(database.db, redisHandle.url, redisHandle.prefix); // 4 pending
    pool = scenario.pool;
    const worker = startStuckWorker(redisHandle.url, redisHandle.prefix, scenario.options);
    try {
      const taken = await waitFor(`the worker took the ${STUCK_TASKS} tasks`, () =>
        stuckTasksAllIn(redisHandle.redis, redisHandle.prefix, 'assigned'),
      );
      // A live worker renews its locks: wait until each lock was renewed (its PTTL rose again under
      // the same token), which only a renewing holder does, then the tasks must still be its own.
      await waitForLockRenewals(redisHandle.redis, redisHandle.prefix, taken);
      assert.ok(
        (await poolTasks(redisHandle.redis, redisHandle.prefix, [STUCK_ENV])).every((t) => t.state === 'assigned'),
        'a live worker keeps its tasks',
      );
      const stalledBefore = await stalledCounters(pool, STUCK_ENV);
      worker.child.kill('SIGKILL');
      await worker.exited;
      const returned = await waitFor(`the ${STUCK_TASKS} tasks pending again, no worker attached`, () =>
        stuckTasksAllIn(redisHandle.redis, redisHandle.prefix, 'pending'),
      );
      for (const task of returned)
        assert.equal(
          await redisHandle.redis.exists(queueKey(redisHandle.prefix, queueName(STUCK_ENV), `${task.jobId}:lock`)),
          0,
          'no lock: no worker holds it',
        );
      // The mechanism, not a duration: BullMQ's stalled check (the leader's, as the worker is dead)
      // is what counts a move in the job's stalledCounter; a retry or a new job would not.
      const stalledAfter = await stalledCounters(pool, STUCK_ENV);
      for (const [jobId, before] of stalledBefore)
        assert.ok(
          (stalledAfter.get(jobId) ?? 0) > before,
          `${jobId} moved back by the stalled check (stalledCounter ${before} → ${stalledAfter.get(jobId)})`,
        );
      for (const task of returned) {
        const job = await pool.queues.get(STUCK_ENV).getJob(task.jobId);
        assert.equal(job?.attemptsMade, 0, 'a worker death is not an attempt');
      }
      assert.equal((await pool.topUp(await currentLists(database.db))).created, 0, 'the slots are still held by the returned tasks');
    } finally {
      await worker.stop();
    }
  });
});

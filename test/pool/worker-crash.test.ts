import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
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

describe('a worker process killed with SIGKILL', () => {
  let pool: TaskPool | undefined;
  after(async () => {
    await pool?.close();
  });

  test('its assigned tasks are pending again within 2 × the lock duration, with no worker attached', async () => {
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
      child.kill('SIGKILL');
      await exited;
      const killedAt = Date.now();
      for (;;) {
        const tasks = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-k']);
        if (tasks.length === 4 && tasks.every((t) => t.state === 'pending')) break;
        assert.ok(
          Date.now() - killedAt <= 2 * LOCK_MS,
          `pending again within 2 × lock (${2 * LOCK_MS} ms): ${JSON.stringify(tasks.map((t) => t.state))}`,
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      const job = await pool.queues.get('env-k').getJob((await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-k']))[0]!.jobId);
      assert.equal(job?.attemptsMade, 0, 'a worker death is not an attempt');
      assert.equal((await pool.topUp(await currentLists(database.db))).created, 0, 'the slots are still held by the returned tasks');
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  });
});

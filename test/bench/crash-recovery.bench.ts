/**
 * Crash recovery bench (docs/design.md targets, "recovery": orphans back in ≤ 2 × lock duration):
 * a pool of 4 tasks taken by a real BullMQ worker in a child process (test/pool/fixtures/stuck-worker.ts,
 * whose evaluations never finish), killed with SIGKILL; the figure is the time from the kill until
 * the leader's stalled checker has put all 4 back to pending. test/pool/worker-crash.test.ts asserts
 * the states; this measures the time. Each round has a Redis prefix of its own; `ctx.scale` < 1 runs fewer rounds.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { randomName } from '../helpers/random-name.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { currentLists, openPoolInTerm, poolConfig, poolTasks, putList, resetPool } from '../pool/pool-fixture.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { median } from './median.ts';

const WORKER = fileURLToPath(new URL('../pool/fixtures/stuck-worker.ts', import.meta.url));
const FULL_ROUNDS = 5;
/** The lock of test/pool/worker-crash.test.ts; the target is 2 × it. */
const LOCK_MS = 2_000;
/** EVALPOOL_STALLED_INTERVAL_MS as in the test; poolWorkerOptions caps it at half the lock. */
const STALLED_INTERVAL_SETTING_MS = 5_000;
const ENV = 'env-k';
const TASKS = 4;

/** One round: ms from the SIGKILL until all tasks are pending again. */
async function round(ctx: BenchContext, db: Kysely<Database>, redis: Redis): Promise<number> {
  const prefix = randomName('evalpool-bench-');
  let pool: TaskPool | undefined;
  try {
    await resetPool(db, redis, prefix);
    await putList(db, { env_id: ENV, task_ids: [1, 2, 3, 4, 5, 6] });
    await seedActiveMiners(db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(db, 'hk1', TASKS);
    const config = poolConfig(prefix, {
      EVALPOOL_LOCK_DURATION_MS: String(LOCK_MS),
      EVALPOOL_STALLED_INTERVAL_MS: String(STALLED_INTERVAL_SETTING_MS),
      EVALPOOL_MAX_ENV_SHARE: '1',
    });
    const options = poolWorkerOptions(config.scheduler);
    ({ pool } = await openPoolInTerm(ctx.redisUrl, prefix, db, config));
    await pool.topUp(await currentLists(db)); // 4 pending; the leader's stalled checker starts

    const args = ['--import', 'tsx', WORKER, ctx.redisUrl, prefix, ENV, String(options.lockDuration), String(options.stalledInterval)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await waitFor('the worker took the tasks', async () => {
        const tasks = await poolTasks(redis, prefix, [ENV]);
        return tasks.length === TASKS && tasks.every((t) => t.state === 'assigned');
      });
      // As in the test: a window longer than the lock, so that the kill falls between lock renewals.
      await new Promise((r) => setTimeout(r, LOCK_MS));
      const killedAt = performance.now();
      child.kill('SIGKILL');
      await waitFor(
        'the tasks pending again',
        async () => {
          const tasks = await poolTasks(redis, prefix, [ENV]);
          return tasks.length === TASKS && tasks.every((t) => t.state === 'pending');
        },
        undefined,
        5,
      );
      return performance.now() - killedAt;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    }
  } finally {
    await pool?.close();
    await resetPool(db, redis, prefix);
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const rounds = Math.max(2, Math.round(FULL_ROUNDS * ctx.scale));
  const bench = await createBenchDatabase(ctx.postgresUrl, 'crash');
  const redis = createRedis(ctx.redisUrl, 'command', testLogger());
  const loadBefore = os.loadavg()[0]!;
  try {
    const times: number[] = [];
    for (let i = 0; i < rounds; i++) times.push(await round(ctx, bench.db, redis));
    const loadAfter = os.loadavg()[0]!;
    const value = median(times);
    const stalledInterval = poolWorkerOptions({ lockDurationMs: LOCK_MS, stalledIntervalMs: STALLED_INTERVAL_SETTING_MS }).stalledInterval;
    const target = 2 * LOCK_MS;
    return [
      {
        name: `kill → all pending, median of ${rounds}`,
        value,
        unit: 'ms',
        target: `<= 2 × lock (${target} ms)`,
        ok: value <= target,
        notes: `${TASKS} tasks; max ${Math.max(...times).toFixed(0)} ms; rounds ${times.map((t) => t.toFixed(0)).join(', ')} ms; lock ${LOCK_MS} ms, stalled check every ${stalledInterval} ms; load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, ${os.cpus().length} cores`,
      },
    ];
  } finally {
    await closeRedis(redis);
    await bench.drop();
  }
}

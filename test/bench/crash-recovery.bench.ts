/**
 * Crash recovery bench (docs/design.md targets, "recovery": orphans back in ≤ 2 × lock duration):
 * the scenario of test/pool/stuck-worker-scenario.ts, a pool of 4 tasks taken by a real BullMQ worker
 * in a child process (test/pool/fixtures/stuck-worker.ts, whose evaluations never finish), killed
 * with SIGKILL; the figure is the time from the kill until the leader's stalled checker has put
 * all 4 back to pending. test/pool/worker-crash.test.ts asserts
 * the states; this measures the time. Each round has a Redis prefix of its own; `ctx.scale` < 1 runs fewer rounds.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { randomName } from '../helpers/random-name.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { resetPool } from '../pool/pool-fixture.ts';
import {
  openStuckScenario,
  STUCK_LOCK_MS,
  STUCK_STALLED_INTERVAL_SETTING_MS,
  STUCK_TASKS,
  startStuckWorker,
  stuckTasksAllIn,
} from '../pool/stuck-worker-scenario.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { median } from './median.ts';

const FULL_ROUNDS = 5;

/** One round: ms from the SIGKILL until all tasks are pending again. */
async function round(ctx: BenchContext, db: Kysely<Database>, redis: Redis): Promise<number> {
  const prefix = randomName('evalpool-bench-');
  let pool: TaskPool | undefined;
  try {
    await resetPool(db, redis, prefix);
    const scenario = await openStuckScenario(db, ctx.redisUrl, prefix);
    pool = scenario.pool;
    const worker = startStuckWorker(ctx.redisUrl, prefix, scenario.options, 'ignore');
    try {
      await waitFor('the worker took the tasks', () => stuckTasksAllIn(redis, prefix, 'assigned'));
      // A fixed window of one lock duration after the take, not a wait for a state: the worker has
      // renewed its locks in it (BullMQ renews every half lock), and the kill lands at a point of
      // the renewal cycle that varies by round. The figure is timed from the kill.
      await new Promise((r) => setTimeout(r, STUCK_LOCK_MS));
      const killedAt = performance.now();
      worker.child.kill('SIGKILL');
      await waitFor('the tasks pending again', () => stuckTasksAllIn(redis, prefix, 'pending'), undefined, 5);
      return performance.now() - killedAt;
    } finally {
      await worker.stop();
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
    const stalledInterval = poolWorkerOptions({
      lockDurationMs: STUCK_LOCK_MS,
      stalledIntervalMs: STUCK_STALLED_INTERVAL_SETTING_MS,
    }).stalledInterval;
    const target = 2 * STUCK_LOCK_MS;
    return [
      {
        name: `kill → all pending, median of ${rounds}`,
        value,
        unit: 'ms',
        target: `<= 2 × lock (${target} ms)`,
        ok: value <= target,
        notes: `${STUCK_TASKS} tasks; max ${Math.max(...times).toFixed(0)} ms; rounds ${times.map((t) => t.toFixed(0)).join(', ')} ms; lock ${STUCK_LOCK_MS} ms, stalled check every ${stalledInterval} ms; load average (1 min) ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after, ${os.cpus().length} cores`,
      },
    ];
  } finally {
    await closeRedis(redis);
    await bench.drop();
  }
}

import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { type PoolWorkerOptions, poolWorkerOptions } from '../../src/pool/job-options.ts';
import { queueKey } from '../../src/pool/pool-keys.ts';
import type { PooledTask } from '../../src/pool/pool-snapshot.ts';
import { queueName } from '../../src/pool/task-job.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { currentLists, openPoolInTerm, poolConfig, poolTasks, putList } from './pool-fixture.ts';

/**
 * The crash scenario shared by test/pool/worker-crash.test.ts and test/bench/crash-recovery.bench.ts:
 * one env with a list of 6 tasks, one miner with 4 slots, a pool in a leadership term that has put
 * 4 tasks in the pool, and a real BullMQ worker in a child process (fixtures/stuck-worker.ts) whose
 * evaluations never finish, to be killed with SIGKILL.
 */

const WORKER = fileURLToPath(new URL('./fixtures/stuck-worker.ts', import.meta.url));

/** The lock of an assigned task in the scenario; the recovery target is 2 × it. */
export const STUCK_LOCK_MS = 2_000;
/** EVALPOOL_STALLED_INTERVAL_MS of the scenario; poolWorkerOptions caps it at half the lock. */
export const STUCK_STALLED_INTERVAL_SETTING_MS = 5_000;
export const STUCK_ENV = 'env-k';
/** The tasks the pool holds (the miner's slots). */
export const STUCK_TASKS = 4;

export interface StuckScenario {
  /** The pool in its term: the caller closes it. */
  readonly pool: TaskPool;
  /** The worker options of the scenario's config, as the pool and the worker use them. */
  readonly options: PoolWorkerOptions;
}

/**
 * Seeds the list, the miner and its slots, opens the pool in a term and tops it up (the tasks are
 * pending; the leader's stalled checker starts). The database and `prefix` must be empty.
 */
export async function openStuckScenario(db: Kysely<Database>, redisUrl: string, prefix: string): Promise<StuckScenario> {
  await putList(db, { env_id: STUCK_ENV, task_ids: [1, 2, 3, 4, 5, 6] });
  await seedActiveMiners(db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
  await seedSlots(db, 'hk1', STUCK_TASKS);
  const config = poolConfig(prefix, {
    EVALPOOL_LOCK_DURATION_MS: String(STUCK_LOCK_MS),
    EVALPOOL_STALLED_INTERVAL_MS: String(STUCK_STALLED_INTERVAL_SETTING_MS),
    EVALPOOL_MAX_ENV_SHARE: '1',
  });
  const { pool } = await openPoolInTerm(redisUrl, prefix, db, config);
  try {
    await pool.topUp(await currentLists(db));
  } catch (error) {
    await pool.close();
    throw error;
  }
  return { pool, options: poolWorkerOptions(config.scheduler) };
}

export interface StuckWorker {
  readonly child: ChildProcess;
  /** Resolves when the process has exited. */
  readonly exited: Promise<unknown>;
  /** Kills the process with SIGKILL if it still runs, and waits for its exit (for `finally`). */
  stop(): Promise<void>;
}

/** Starts fixtures/stuck-worker.ts on the scenario's env queue under `prefix`, with `options`. */
export function startStuckWorker(
  redisUrl: string,
  prefix: string,
  options: PoolWorkerOptions,
  stdout: 'pipe' | 'ignore' = 'pipe',
): StuckWorker {
  const args = ['--import', 'tsx', WORKER, redisUrl, prefix, STUCK_ENV, String(options.lockDuration), String(options.stalledInterval)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', stdout, 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    child,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** The scenario's tasks when all {@link STUCK_TASKS} of them are in `state`, else undefined (a waitFor check). */
export async function stuckTasksAllIn(redis: Redis, prefix: string, state: PooledTask['state']): Promise<PooledTask[] | undefined> {
  const tasks = await poolTasks(redis, prefix, [STUCK_ENV]);
  return tasks.length === STUCK_TASKS && tasks.every((t) => t.state === state) ? tasks : undefined;
}

/**
 * Waits until the lock of every task in `tasks` has been renewed at least once by its holder: the
 * lock key keeps the token it had when first read, and its PTTL rose above the lowest PTTL read
 * before. A PTTL only falls unless the key's expiry is set again, and a lock whose holder stopped
 * renewing it only expires; the same token rules out a new lock of another taker.
 */
export async function waitForLockRenewals(redis: Redis, prefix: string, tasks: readonly PooledTask[]): Promise<void> {
  const seen = new Map<string, { token: string; lowest: number; renewed: boolean }>();
  await waitFor(`a renewal of the lock of each of ${tasks.length} tasks by the same holder`, async () => {
    for (const task of tasks) {
      if (seen.get(task.jobId)?.renewed) continue;
      const key = queueKey(prefix, queueName(STUCK_ENV), `${task.jobId}:lock`);
      const [[, token], [, pttl]] = (await redis.multi().get(key).pttl(key).exec()) as [[null, string | null], [null, number]];
      if (token === null || pttl < 0) throw new Error(`${task.jobId}: its lock is gone (PTTL ${pttl}) while its worker lives`);
      const before = seen.get(task.jobId);
      if (!before) seen.set(task.jobId, { token, lowest: pttl, renewed: false });
      else if (token !== before.token) throw new Error(`${task.jobId}: its lock changed holder (${before.token} → ${token})`);
      else if (pttl > before.lowest) before.renewed = true;
      else before.lowest = pttl;
    }
    return [...seen.values()].filter((s) => s.renewed).length === tasks.length;
  });
}

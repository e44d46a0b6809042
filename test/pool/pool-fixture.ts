import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach } from 'node:test';
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Config } from '../../src/config/schema.ts';
import type { Database } from '../../src/db/schema.ts';
import { getSamplingLists } from '../../src/db/tables/sampling-lists.ts';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import type { PoolList } from '../../src/pool/pool-list.ts';
import { type PooledTask, readPoolSnapshot } from '../../src/pool/pool-snapshot.ts';
import { parseTaskJobData, queueName, type TaskJobData } from '../../src/pool/task-job.ts';
import { TaskPool } from '../../src/pool/task-pool.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { seedResult } from '../helpers/seed.ts';
import { testConfig } from '../helpers/test-config.ts';
import type { TestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { deletePrefix, type TestRedis } from '../helpers/test-redis.ts';

/**
 * Test helpers for the pool: its sampling lists (with their rotation state), a pool in a leadership
 * term, and a manual BullMQ consumer. Miners, slots and results are seeded with ../helpers/seed.ts.
 */

/** Deletes the pool's keys under `prefix` and empties the tables a pool test fills. */
export async function resetPool(db: Kysely<Database>, redis: Redis, prefix: string): Promise<void> {
  await deletePrefix(redis, prefix);
  await sql`truncate miners, sampling_lists, results, miner_slots, miner_declarations, attempts cascade`.execute(db);
}

/** A pool in a leadership term and a manual consumer on the same config. */
export interface OpenPool {
  readonly pool: TaskPool;
  readonly token: string;
  readonly consumer: ManualConsumer;
}

/**
 * Hooks for a `describe` of pool tests on the file's database and Redis prefix: the pool is reset
 * before each test, and what `open` opened is closed after it. `open(vars)` adds `vars` to
 * `baseVars` in the test config.
 */
export function usePoolPerTest(
  database: TestDatabase,
  redisHandle: TestRedis,
  baseVars: Record<string, string> = {},
): { open: (vars?: Record<string, string>) => Promise<OpenPool> } {
  let opened: OpenPool | undefined;
  beforeEach(() => resetPool(database.db, redisHandle.redis, redisHandle.prefix));
  afterEach(async () => {
    await opened?.consumer.close();
    await opened?.pool.close();
    opened = undefined;
  });
  return {
    open: async (vars = {}) => {
      const config = poolConfig(redisHandle.prefix, { ...baseVars, ...vars });
      const { pool, token } = await openPoolInTerm(redisHandle.url, redisHandle.prefix, database.db, config);
      opened = { pool, token, consumer: ManualConsumer.open(redisHandle.url, redisHandle.prefix, config) };
      return opened;
    },
  };
}

/** Inserts or replaces a sampling list. */
export async function putList(
  db: Kysely<Database>,
  list: {
    env_id: string;
    task_ids: number[];
    rotation_count?: number;
    rotation_interval_seconds?: number;
    version?: number;
    last_rotated_at?: Date;
  },
): Promise<void> {
  const row = {
    env_id: list.env_id,
    family: 'test',
    task_ids: list.task_ids,
    dataset_start: 0,
    dataset_end: 1_000_000,
    list_size: list.task_ids.length,
    rotation_count: list.rotation_count ?? 1,
    rotation_interval_seconds: list.rotation_interval_seconds ?? 3_600,
    scored: true,
    version: list.version ?? 0,
    last_rotated_at: list.last_rotated_at ?? new Date(),
  };
  await db
    .insertInto('sampling_lists')
    .values(row)
    .onConflict((oc) => oc.column('env_id').doUpdateSet(row))
    .execute();
}

/** Replaces a list with a FIFO rotation of it: `count` oldest out, `idsIn` appended, version + 1. */
export async function rotateList(db: Kysely<Database>, env: string, idsIn: number[]): Promise<{ out: number[] }> {
  const row = await db.selectFrom('sampling_lists').selectAll().where('env_id', '=', env).executeTakeFirstOrThrow();
  const out = row.task_ids.slice(0, idsIn.length);
  await db
    .updateTable('sampling_lists')
    .set({ task_ids: [...row.task_ids.slice(idsIn.length), ...idsIn], version: row.version + 1, last_rotated_at: new Date() })
    .where('env_id', '=', env)
    .execute();
  return { out };
}

/** The lists as the scheduler's `getCurrentLists` would return them. */
export async function currentLists(db: Kysely<Database>): Promise<PoolList[]> {
  return getSamplingLists(db);
}

/** A test config with the pool's variables. */
export function poolConfig(prefix: string, vars: Record<string, string> = {}): Config {
  return testConfig({
    EVALPOOL_QUEUE_PREFIX: prefix,
    EVALPOOL_TASK_ATTEMPTS: '1',
    EVALPOOL_LOCK_DURATION_MS: '1000',
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    ...vars,
  });
}

/** A pool in a leadership term whose lease key is set (for as long as the test needs). */
export async function openPoolInTerm(
  url: string,
  prefix: string,
  db: Kysely<Database>,
  config: Config,
): Promise<{ pool: TaskPool; token: string }> {
  const pool = await TaskPool.open({ redisUrl: url, prefix, db, config, logger: testLogger() });
  const token = `test#${randomUUID()}`;
  await pool.connection.set(poolKeys(prefix).lease, token);
  pool.beginTerm(token);
  return { pool, token };
}

/** Every job of the pool, by state. */
export async function poolTasks(redis: Redis, prefix: string, envs: readonly string[]): Promise<PooledTask[]> {
  return [...(await readPoolSnapshot(redis, prefix, envs)).tasks];
}

/** In-flight (pending + assigned) tasks per hotkey. */
export function inFlightByHotkey(tasks: readonly PooledTask[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const t of tasks) if (t.state !== 'paused') counts.set(t.hotkey, (counts.get(t.hotkey) ?? 0) + 1);
  return counts;
}

/**
 * A real BullMQ consumer driven by hand (BullMQ's manual-fetching pattern): take one job, then
 * complete it (writing a result first, as a worker does), fail it, or abandon it (a dying worker).
 */
export class ManualConsumer {
  readonly #workers = new Map<string, Worker>();
  readonly #connection: Redis;
  readonly #prefix: string;
  readonly #config: Config;

  private constructor(connection: Redis, prefix: string, config: Config) {
    this.#connection = connection;
    this.#prefix = prefix;
    this.#config = config;
  }

  static open(url: string, prefix: string, config: Config): ManualConsumer {
    return new ManualConsumer(createRedis(url, 'bullmq', testLogger()), prefix, config);
  }

  #worker(env: string): Worker {
    let worker = this.#workers.get(env);
    if (!worker) {
      const options = poolWorkerOptions(this.#config.scheduler);
      worker = new Worker(queueName(env), undefined, { connection: this.#connection, prefix: this.#prefix, autorun: false, ...options });
      worker.on('error', () => undefined);
      this.#workers.set(env, worker);
    }
    return worker;
  }

  /** Takes the next pending job of `env` (it becomes assigned, locked under the returned token). */
  async take(env: string): Promise<{ job: Job; token: string; data: TaskJobData } | undefined> {
    const token = randomUUID();
    const job = (await this.#worker(env).getNextJob(token, { block: false })) as Job | undefined;
    if (!job) return undefined;
    return { job, token, data: parseTaskJobData(job.data) };
  }

  /** Writes the result, then completes the job (success removes it). */
  async complete(db: Kysely<Database>, taken: { job: Job; token: string; data: TaskJobData }): Promise<void> {
    await seedResult(db, taken.data, taken.data.task_uuid);
    await taken.job.moveToCompleted('done', taken.token, false);
  }

  /** Fails the job for good (attempts = 1 in tests): it becomes paused. */
  async fail(taken: { job: Job; token: string }): Promise<void> {
    await taken.job.moveToFailed(new Error('env_error: simulated'), taken.token, false);
  }

  /** A worker death: the job's lock disappears as if it expired (the job stays active). */
  async abandon(taken: { job: Job }): Promise<void> {
    await this.#connection.del(`${this.#prefix}:${taken.job.queueName}:${taken.job.id}:lock`);
  }

  async close(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.close()));
    await closeRedis(this.#connection);
  }
}

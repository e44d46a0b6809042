import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { REDIS_START_TIMEOUT_MS } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';
import type { Database } from '../db/schema.ts';
import { closeRedis, createRedis } from '../runtime/redis.ts';
import { waitForRedis } from '../runtime/wait-ready.ts';
import { poolWorkerOptions, taskJobOptions } from './job-options.ts';
import { cleanExpiredPaused } from './paused-tasks.ts';
import { envsToRead, type PoolContext, type PoolSettings } from './pool-context.ts';
import type { PoolList } from './pool-list.ts';
import { type ReconcileReport, reconcile } from './reconcile.ts';
import { ResultIndex } from './result-index.ts';
import { StalledChecker } from './stalled-checker.ts';
import { TaskQueues } from './task-queues.ts';
import { type TopUpReport, topUp } from './top-up.ts';

/** Options of {@link TaskPool.open}. */
export interface TaskPoolOptions {
  readonly redisUrl: string;
  /** BullMQ prefix and prefix of every pool key (`config.storage.queuePrefix`). */
  readonly prefix: string;
  readonly db: Kysely<Database>;
  readonly config: Pick<Config, 'scheduler' | 'slots'>;
  readonly logger: Logger;
  /** How long to wait for Redis when opening (default 5 s). */
  readonly connectTimeoutMs?: number;
}

/**
 * The pool as the leader drives it: the env queues on the scheduler's fenced connection, the
 * stalled checker, the result index, and the three operations (top-up, reconciliation, paused
 * TTL). Operations need a leadership term (`beginTerm(token)`); they must run one at a time
 * (law L3 of fenced-create.ts).
 */
export class TaskPool {
  readonly #connection: Redis;
  readonly #blocking: Redis;
  readonly #queues: TaskQueues;
  readonly #options: TaskPoolOptions;
  readonly #settings: PoolSettings;
  readonly #logger: Logger;
  #context: PoolContext | undefined;
  #closed: Promise<void> | undefined;

  private constructor(options: TaskPoolOptions, connection: Redis, blocking: Redis) {
    this.#options = options;
    this.#connection = connection;
    this.#blocking = blocking;
    this.#queues = new TaskQueues(connection, options.prefix);
    this.#logger = options.logger.child({ component: 'pool' });
    const { scheduler, slots } = options.config;
    this.#settings = {
      defaultSlots: slots.default,
      maxEnvShare: slots.maxEnvShare,
      hourlyCapMargin: scheduler.hourlyCapMargin,
      pausedTtlMs: scheduler.pausedTtlSeconds * 1_000,
      jobOptions: taskJobOptions(scheduler),
    };
  }

  /** Opens the pool's connections (waiting for Redis up to `connectTimeoutMs`). */
  static async open(options: TaskPoolOptions): Promise<TaskPool> {
    const connection = createRedis(options.redisUrl, 'fenced', options.logger, 'evalpool-scheduler');
    const blocking = createRedis(options.redisUrl, 'bullmq', options.logger);
    try {
      await Promise.all([
        waitForRedis(connection, options.connectTimeoutMs ?? REDIS_START_TIMEOUT_MS),
        waitForRedis(blocking, options.connectTimeoutMs ?? REDIS_START_TIMEOUT_MS),
      ]);
    } catch (error) {
      await Promise.all([closeRedis(connection), closeRedis(blocking)]);
      throw error;
    }
    return new TaskPool(options, connection, blocking);
  }

  /** The fenced connection (also usable for reads between operations). */
  get connection(): Redis {
    return this.#connection;
  }

  get queues(): TaskQueues {
    return this.#queues;
  }

  get prefix(): string {
    return this.#options.prefix;
  }

  /** Whether a leadership term is open. */
  get inTerm(): boolean {
    return this.#context !== undefined;
  }

  /** Starts a leadership term under `token`: fresh result index, stalled checks on. */
  beginTerm(token: string): void {
    if (this.#closed) throw new Error('the task pool is closed');
    const { scheduler } = this.#options.config;
    this.#context = {
      db: this.#options.db,
      connection: this.#connection,
      queues: this.#queues,
      prefix: this.#options.prefix,
      index: new ResultIndex(),
      checker: new StalledChecker(this.#blocking, this.#options.prefix, poolWorkerOptions(scheduler), this.#logger),
      settings: this.#settings,
      logger: this.#logger,
      registered: new Set(),
      token,
      previous: new Map(),
    };
  }

  /** Ends the term: stalled checks off, memory dropped (idempotent). */
  async endTerm(): Promise<void> {
    const context = this.#context;
    this.#context = undefined;
    await context?.checker.close();
  }

  #term(): PoolContext {
    if (!this.#context) throw new Error('the pool is not in a leadership term');
    return this.#context;
  }

  /** One top-up (see top-up.ts); also keeps the stalled checks on every listed env. */
  async topUp(lists: readonly PoolList[], now = Date.now(), signal?: AbortSignal): Promise<TopUpReport> {
    const ctx = this.#term();
    ctx.checker.ensure(envsToRead(ctx, lists));
    return topUp(ctx, lists, now, signal);
  }

  /** One reconciliation (see reconcile.ts). */
  async reconcile(lists: readonly PoolList[], signal?: AbortSignal): Promise<ReconcileReport> {
    return reconcile(this.#term(), lists, signal);
  }

  /** Deletes paused tasks past their TTL in every known queue; returns counts per env. */
  async cleanPaused(lists: readonly PoolList[], signal?: AbortSignal): Promise<Map<string, number>> {
    const ctx = this.#term();
    return cleanExpiredPaused(this.#queues, envsToRead(ctx, lists), this.#settings.pausedTtlMs, this.#logger, signal);
  }

  /** Ends the term and closes queues and connections (idempotent). */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.endTerm();
      await this.#queues.close();
      await Promise.all([closeRedis(this.#connection), closeRedis(this.#blocking)]);
    })();
    return this.#closed;
  }
}

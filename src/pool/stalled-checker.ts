import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DistinctMessages } from '../runtime/distinct-messages.ts';
import type { PoolWorkerOptions } from './job-options.ts';
import { queueKey } from './pool-keys.ts';
import { queueName } from './task-job.ts';

/**
 * BullMQ's stalled check on every env queue, run by the leader whether or not any worker is
 * attached: an assigned task whose worker died (lock expired) goes back to pending. One
 * processor-less `Worker` per queue (BullMQ's manual-fetching pattern): it never takes a job, it
 * only runs `startStalledCheckTimer()`. `maxStalledCount` is unreachable, so a stall is never an
 * attempt and never pauses a task.
 */
export class StalledChecker {
  readonly #workers = new Map<string, Worker>();
  readonly #connection: Redis;
  readonly #prefix: string;
  readonly #options: PoolWorkerOptions;
  readonly #logger: Logger;
  #closed = false;

  /** `connection` must allow blocking commands (`createRedis(url, 'bullmq', ...)`); it stays open. */
  constructor(connection: Redis, prefix: string, options: PoolWorkerOptions, logger: Logger) {
    this.#connection = connection;
    this.#prefix = prefix;
    this.#options = options;
    this.#logger = logger.child({ component: 'stalled-checker' });
  }

  /** Starts checking the queues of `envs` not checked yet. */
  ensure(envs: Iterable<string>): void {
    if (this.#closed) return;
    for (const env of envs) {
      if (this.#workers.has(env)) continue;
      const worker = new Worker(queueName(env), undefined, {
        connection: this.#connection,
        prefix: this.#prefix,
        autorun: false,
        lockDuration: this.#options.lockDuration,
        stalledInterval: this.#options.stalledInterval,
        maxStalledCount: this.#options.maxStalledCount,
      });
      const errors = new DistinctMessages();
      worker.on('error', (error) => {
        if (errors.changed(error.message)) this.#logger.warn({ env, err: error.message }, 'stalled check failed');
      });
      worker.on('stalled', (jobId) => this.#logger.info({ env, job: jobId }, 'assigned task lost its worker: back to pending'));
      this.#workers.set(env, worker);
      void worker.startStalledCheckTimer();
    }
  }

  /**
   * Returns to pending, now, every assigned job of `envs` whose lock is gone (reconciliation):
   * BullMQ's check marks active jobs on one pass and moves the unlocked marked ones on the next,
   * at most once per stalled interval; clearing its rate-limit key lets both passes run at once.
   * Harmless to live workers: a job with a lock is never moved. Returns the job ids moved.
   */
  async recoverNow(envs: Iterable<string>): Promise<string[]> {
    this.ensure(envs);
    const moved: string[] = [];
    for (const env of envs) {
      const worker = this.#workers.get(env);
      if (!worker) continue;
      const checkKey = queueKey(this.#prefix, queueName(env), 'stalled-check');
      for (let pass = 0; pass < 2; pass++) {
        await this.#connection.del(checkKey);
        moved.push(...(await worker.getBackend().moveStalledJobsToWait()));
      }
    }
    return moved;
  }

  /** Stops every check (idempotent); the connection stays open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#workers.values()].map((w) => w.close()));
    this.#workers.clear();
  }
}

import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Config } from '../../src/config/schema.ts';
import type { Database } from '../../src/db/schema.ts';
import { poolWorkerOptions } from '../../src/pool/job-options.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { ResultWriter } from '../../src/worker/consumer/result-writer.ts';
import { TaskWorker, type TaskWorkerOptions } from '../../src/worker/consumer/task-worker.ts';
import type { Evaluator } from '../../src/worker/evaluation/evaluator.ts';
import { testLogger } from '../helpers/test-logger.ts';

/** A task worker with its own writer and BullMQ connection, as the worker service builds it. */
export interface WorkerHarness {
  readonly worker: TaskWorker;
  readonly writer: ResultWriter;
  readonly connection: Redis;
  /** Stops the worker, then the writer, then closes the connection (the service's order). */
  stop(): Promise<void>;
}

export async function startWorker(
  config: Config,
  db: Kysely<Database>,
  evaluator: Evaluator,
  overrides: Partial<TaskWorkerOptions> = {},
): Promise<WorkerHarness> {
  const logger = testLogger();
  const connection = createRedis(config.storage.redisUrl, 'bullmq', logger);
  const writer = new ResultWriter({
    db,
    logger,
    maxBatchRows: config.worker.resultBatchRows,
    flushMs: config.worker.resultFlushMs,
    writeTimeoutMs: config.worker.resultWriteTimeoutMs,
  });
  const worker = new TaskWorker({
    envs: ['test/env-a'],
    concurrency: 4,
    evaluator,
    writer,
    db,
    connection,
    prefix: config.storage.queuePrefix,
    workerId: 'test-worker',
    workerOptions: poolWorkerOptions(config.scheduler),
    hardTimeoutMs: 30_000,
    resultRetryMaxMs: config.worker.resultRetryMaxMs,
    drainMs: 5_000,
    logger,
    ...overrides,
  });
  await worker.start();
  let stopped: Promise<void> | undefined;
  return {
    worker,
    writer,
    connection,
    stop() {
      stopped ??= (async () => {
        await worker.stop();
        await writer.stop();
        await closeRedis(connection);
      })();
      return stopped;
    },
  };
}

/** The result rows of `hotkey`, by task id. */
export function resultRows(db: Kysely<Database>, hotkey: string) {
  return db.selectFrom('results').selectAll().where('hotkey', '=', hotkey).orderBy('task_id').execute();
}

/** The attempt rows of `hotkey` (task, attempt, class, message), by task id then attempt. */
export function attemptRows(db: Kysely<Database>, hotkey: string) {
  return db
    .selectFrom('attempts')
    .select(['task_id', 'attempt', 'error_class', 'error_message'])
    .where('hotkey', '=', hotkey)
    .orderBy('task_id')
    .orderBy('attempt')
    .execute();
}

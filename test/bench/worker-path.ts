// Episodes per second through the whole worker path: tasks added to the env's BullMQ queue with
// the scheduler's job options, taken by the worker service's own assembly (attachWorkers: one
// TaskWorker, the batched result writer) running the built-in MuJoCo evaluator against a miner,
// and counted once their result rows are in Postgres.
import { performance } from 'node:perf_hooks';
import { TASK_JOB_NAME } from '../../src/config/constants.ts';
import { Lifecycle } from '../../src/runtime/lifecycle.ts';
import { attachWorkers } from '../../src/service/worker-service.ts';
import { builtInEvaluators, registryEvaluator } from '../../src/worker/evaluation/evaluators.ts';
import { randomName } from '../helpers/random-name.ts';
import { jobOptionsOf, makeTask, TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { deletePrefix } from '../helpers/test-redis.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext } from './bench-result.ts';

/** What {@link measureWorkerPath} measured. */
export interface WorkerPathFigures {
  readonly episodes: number;
  readonly perSecond: number;
  readonly successes: number;
}

/** Runs `episodes` tasks of `envId` against `minerUrl` through one in-process worker with `concurrency`. */
export async function measureWorkerPath(
  ctx: BenchContext,
  minerUrl: string,
  envId: string,
  episodes: number,
  concurrency: number,
): Promise<WorkerPathFigures> {
  const bench = await createBenchDatabase(ctx.postgresUrl, 'worker_path');
  const db = bench.db;
  const prefix = randomName('evalpool-bench-');
  const config = testConfig({ EVALPOOL_DATABASE_URL: bench.url, EVALPOOL_REDIS_URL: ctx.redisUrl, EVALPOOL_QUEUE_PREFIX: prefix });
  const logger = testLogger();
  const lifecycle = new Lifecycle(logger);
  const queues = TestQueues.open(config);
  try {
    const evaluators = builtInEvaluators(config, logger);
    const { evaluator, supports } = registryEvaluator(evaluators.registry);
    await attachWorkers(config, logger, lifecycle, db, { envs: [envId], concurrency, evaluator, supports, resources: [evaluators] });

    const rows = async (hotkey: string): Promise<{ total: number; successes: number }> => {
      const found = await db.selectFrom('results').select(['success']).where('hotkey', '=', hotkey).execute();
      return { total: found.length, successes: found.filter((r) => r.success).length };
    };
    const runBatch = async (hotkey: string, count: number, firstTaskId: number): Promise<{ seconds: number; successes: number }> => {
      const started = performance.now();
      const queue = queues.queue(envId);
      const tasks = Array.from({ length: count }, (_, i) => makeTask({ env: envId, task_id: firstTaskId + i, hotkey, endpoint: minerUrl }));
      await queue.addBulk(tasks.map((task) => ({ name: TASK_JOB_NAME, data: task, opts: jobOptionsOf(config, task) })));
      for (;;) {
        const { total, successes } = await rows(hotkey);
        if (total >= count) return { seconds: (performance.now() - started) / 1000, successes };
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    // Warm-up: loads MuJoCo, opens the connections, warms the queries.
    await runBatch('5BenchWarmup', 2 * concurrency, 1_000_000);
    const measured = await runBatch('5BenchWorkerPath', episodes, 0);
    return { episodes, perSecond: episodes / measured.seconds, successes: measured.successes };
  } finally {
    await lifecycle.stopAll(30_000);
    await deletePrefix(queues.connection, prefix);
    await queues.close();
    await bench.drop();
  }
}

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import type { Config } from '../../../src/config/schema.ts';
import { createDatabase } from '../../../src/db/database.ts';
import { ensureDatabase } from '../../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../../src/db/migrator.ts';
import type { Database } from '../../../src/db/schema.ts';
import type { WorkerJobState } from '../../../src/worker/consumer/job-state.ts';
import { type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from '../../helpers/private-postgres.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { gate, waitFor } from '../../helpers/wait-for.ts';
import { startWorker, type WorkerHarness } from '../harness.ts';

const redis = useTestRedis();

describe('Postgres stops while a worker runs', { skip: privatePostgresUnavailable() }, () => {
  let postgres: PrivatePostgres;
  let db: Kysely<Database>;
  let config: Config;
  let queues: TestQueues;
  let harness: WorkerHarness | undefined;

  before(async () => {
    postgres = await startPrivatePostgres();
    await ensureDatabase(postgres.url);
    db = createDatabase({ url: postgres.url, poolSize: 4, connectTimeoutMs: 1_000, logger: testLogger() });
    const run = await migrateToLatest(db);
    if (run.error) throw run.error;
    config = testConfig({
      EVALPOOL_QUEUE_PREFIX: redis.prefix,
      EVALPOOL_DATABASE_URL: postgres.url,
      EVALPOOL_TASK_ATTEMPTS: '2',
      EVALPOOL_RESULT_FLUSH_MS: '5',
      EVALPOOL_RESULT_WRITE_TIMEOUT_MS: '2000',
      EVALPOOL_RESULT_RETRY_MAX_MS: '1000',
    });
    queues = TestQueues.open(config);
  });

  after(async () => {
    await harness?.stop();
    await queues?.close();
    await db?.destroy();
    await postgres?.destroy();
  });

  test('no outcome is lost, no episode runs twice, no attempt is used, and each result is stored once when Postgres returns', async () => {
    const tasks = Array.from({ length: 12 }, () => makeTask({ hotkey: '5Outage' }));
    const calls = new Map<number, number>();
    const postgresDown = gate();
    let started = 0;
    const allStarted = gate();
    harness = await startWorker(
      config,
      db,
      async (task) => {
        calls.set(task.task_id, (calls.get(task.task_id) ?? 0) + 1);
        started += 1;
        if (started === tasks.length) allStarted.open();
        await postgresDown.promise;
        return {
          errorClass: task.task_id % 3 === 0 ? 'failure' : 'success',
          success: task.task_id % 3 !== 0,
          score: task.task_id % 3 === 0 ? 0 : 1,
          reward: task.task_id,
          timesteps: 7,
          durationMs: 3,
        };
      },
      { concurrency: tasks.length },
    );
    for (const t of tasks) await queues.add(t);
    await allStarted.promise;

    await postgres.stop();
    postgresDown.open();

    // Every outcome ends up parked in its task, waiting for Postgres.
    await waitFor('every outcome parked in its task', async () => {
      const jobs = await Promise.all(tasks.map((t) => queues.getJob(t)));
      return jobs.every(
        (j) =>
          j !== undefined &&
          (j.data as WorkerJobState).pending_result !== undefined &&
          (j.data as WorkerJobState).result_write_failures! >= 1,
      );
    });
    // Parked tasks keep coming back and failing to write, without ever using an attempt.
    await waitFor('a second failed write of some parked outcome', async () =>
      (await Promise.all(tasks.map((t) => queues.getJob(t)))).some(
        (j) => ((j?.data as WorkerJobState | undefined)?.result_write_failures ?? 0) >= 2,
      ),
    );
    for (const t of tasks) assert.equal((await queues.getJob(t))?.attemptsMade, 0);

    await postgres.start();
    await waitFor('every task completed', async () =>
      (await Promise.all(tasks.map((t) => queues.getJob(t)))).every((j) => j === undefined),
    );

    const rows = await db
      .selectFrom('results')
      .select(['task_id', 'success', 'reward'])
      .where('hotkey', '=', '5Outage')
      .orderBy('task_id')
      .execute();
    assert.deepEqual(
      rows,
      tasks.map((t) => ({ task_id: t.task_id, success: t.task_id % 3 !== 0, reward: t.task_id })),
    );
    const attempts = await db.selectFrom('attempts').select(['task_id', 'attempt']).where('hotkey', '=', '5Outage').execute();
    assert.equal(attempts.length, tasks.length, 'one scored attempt per task');
    assert.ok(
      [...calls.values()].every((n) => n === 1),
      `each episode ran once: ${JSON.stringify([...calls])}`,
    );
  });
});

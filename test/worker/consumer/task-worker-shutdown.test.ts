import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { ResultWriter } from '../../../src/worker/consumer/result-writer.ts';
import { TaskWorker } from '../../../src/worker/consumer/task-worker.ts';
import type { EvaluationOutcome } from '../../../src/worker/evaluation/evaluator.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { gate, waitFor } from '../../helpers/wait-for.ts';
import { startWorker } from '../harness.ts';

const database = useTestDatabase();
const redis = useTestRedis();
let config: Config;
let queues: TestQueues;

before(() => {
  config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix, EVALPOOL_TASK_ATTEMPTS: '3', EVALPOOL_RESULT_FLUSH_MS: '5' });
  queues = TestQueues.open(config);
});

after(async () => {
  await queues.close();
});

const solved: EvaluationOutcome = { errorClass: 'success', success: true, score: 1, reward: null, timesteps: 1, durationMs: 1 };

test('stop: running evaluations finish within the drain, the rest are aborted back to pending, unstarted tasks stay pending', async () => {
  const quick = makeTask({ hotkey: '5Quick' });
  const polite = makeTask({ hotkey: '5Polite' });
  const deaf = makeTask({ hotkey: '5Deaf' });
  const queued = makeTask({ hotkey: '5Queued' });
  const started = new Set<string>();
  const allStarted = gate();
  const quickGate = gate();
  const abortedPolitely: string[] = [];
  const h = await startWorker(
    config,
    database.db,
    async (task, signal) => {
      started.add(task.hotkey);
      if (started.size === 3) allStarted.open();
      if (task.hotkey === '5Quick') {
        await quickGate.promise;
        return solved;
      }
      if (task.hotkey === '5Polite') {
        // Honours the signal.
        return new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            abortedPolitely.push(task.hotkey);
            reject(new Error('aborted'));
          }),
        );
      }
      // Ignores the signal: the worker must stop waiting anyway.
      return new Promise(() => undefined);
    },
    { concurrency: 3, drainMs: 1_500 },
  );
  for (const t of [quick, polite, deaf]) await queues.add(t);
  await allStarted.promise;
  await queues.add(queued);

  const stopping = h.worker.stop();
  assert.equal(h.worker.stop(), stopping, 'stop() is idempotent');
  quickGate.open(); // finishes during the drain
  await h.stop();

  assert.equal(started.has('5Queued'), false, 'nothing new is taken once stopping');
  assert.equal(await queues.getJob(quick), undefined, 'the finished task completed');
  assert.equal((await database.db.selectFrom('results').select('hotkey').where('hotkey', '=', '5Quick').execute()).length, 1);
  for (const t of [polite, deaf, queued]) {
    assert.equal(await queues.state(t), 'waiting', `${t.hotkey} is pending again`);
    assert.equal((await queues.getJob(t))?.attemptsMade, 0, `${t.hotkey} used no attempt`);
  }
  assert.deepEqual(abortedPolitely, ['5Polite']);
  const released = await database.db
    .selectFrom('attempts')
    .select(['hotkey', 'error_class'])
    .where('hotkey', 'in', ['5Polite', '5Deaf'])
    .orderBy('hotkey')
    .execute();
  assert.deepEqual(released, [
    { hotkey: '5Deaf', error_class: 'worker_error' },
    { hotkey: '5Polite', error_class: 'worker_error' },
  ]);

  // Another worker picks the released tasks up.
  const next = await startWorker(config, database.db, () => Promise.resolve(solved));
  await waitFor('the released tasks to complete elsewhere', async () =>
    (await Promise.all([polite, deaf, queued].map((t) => queues.getJob(t)))).every((j) => j === undefined),
  );
  await next.stop();
});

test('stop before start, and stop twice, are harmless; start after stop refuses', async () => {
  const logger = testLogger();
  const never = new TaskWorker({
    envs: ['test/env-a'],
    concurrency: 1,
    evaluator: () => Promise.resolve(solved),
    writer: new ResultWriter({ db: database.db, logger, maxBatchRows: 1, flushMs: 0, writeTimeoutMs: 1_000 }),
    db: database.db,
    connection: queues.connection,
    prefix: redis.prefix,
    workerId: 'never-started',
    workerOptions: { lockDuration: 1_000, stalledInterval: 500, maxStalledCount: 1_000_000_000 },
    hardTimeoutMs: 1_000,
    resultRetryMaxMs: 1_000,
    drainMs: 100,
    logger,
  });
  await never.stop();
  await never.stop();
  await assert.rejects(never.start(), /stopped/);
  const h = await startWorker(config, database.db, () => Promise.resolve(solved));
  await h.stop();
  await h.worker.stop();
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { createMetrics, Registry } from '../../../src/runtime/metrics.ts';
import type { EvaluationOutcome } from '../../../src/worker/evaluation/evaluator.ts';
import { parsePrometheusText, valueOf } from '../../helpers/prometheus-text.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { startWorker } from '../harness.ts';

const database = useTestDatabase();
const redis = useTestRedis();
let config: Config;
let queues: TestQueues;

before(() => {
  config = testConfig({
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_TASK_ATTEMPTS: '2',
    EVALPOOL_TASK_BACKOFF_MS: '10',
    EVALPOOL_RESULT_FLUSH_MS: '5',
  });
  queues = TestQueues.open(config);
});
after(async () => {
  await queues.close();
});

test('the worker counts attempts by class with their durations, and tasks paused for good', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  const outcomes: Record<number, EvaluationOutcome> = {
    1: { errorClass: 'success', success: true, score: 1, reward: 1, timesteps: 10, durationMs: 1_500 },
    2: { errorClass: 'failure', success: false, score: 0, reward: 0, timesteps: 10, durationMs: 200 },
    3: { errorClass: 'env_error', success: false, score: 0, reward: null, timesteps: null, message: 'simulator broke', durationMs: 5 },
  };
  const h = await startWorker(config, database.db, (task) => Promise.resolve(outcomes[task.task_id]!), { metrics });
  try {
    const tasks = [1, 2, 3].map((id) => makeTask({ task_id: id, hotkey: '5Counted' }));
    const invalid = makeTask({ task_uuid: 'not-a-uuid', hotkey: '5Counted' });
    for (const t of [...tasks, invalid]) await queues.add(t);
    await waitFor(
      'the env_error task and the invalid one to be paused',
      async () => (await queues.state(tasks[2]!)) === 'failed' && (await queues.state(invalid)) === 'failed',
    );
    await waitFor(
      'the other two to complete',
      async () => (await queues.getJob(tasks[0]!)) === undefined && (await queues.getJob(tasks[1]!)) === undefined,
    );

    const families = parsePrometheusText(await metrics.registry.metrics());
    const attempts = (errorClass: string) =>
      valueOf(families, 'evalpool_task_attempts_total', { env: 'test/env-a', error_class: errorClass });
    assert.deepEqual(
      [attempts('success'), attempts('failure'), attempts('env_error'), attempts('miner_unavailable'), attempts('worker_error')],
      [1, 1, 2, 0, 0],
    );
    assert.equal(valueOf(families, 'evalpool_tasks_paused_total', { env: 'test/env-a' }), 2, 'attempts exhausted, and invalid data');
    const duration = (errorClass: string, sample: string, le?: string) =>
      valueOf(
        families,
        'evalpool_episode_duration_seconds',
        { env: 'test/env-a', error_class: errorClass, ...(le ? { le } : {}) },
        `evalpool_episode_duration_seconds_${sample}`,
      );
    assert.equal(duration('success', 'sum'), 1.5);
    assert.equal(duration('success', 'bucket', '1'), 0);
    assert.equal(duration('success', 'bucket', '2.5'), 1);
    assert.equal(duration('env_error', 'count'), 2);
  } finally {
    await h.stop();
  }
});

test('a measured non-answer converted to a scored failure on its last attempt counts as a failure, not as miner_unavailable', async () => {
  const metrics = createMetrics(new Registry(), { processMetrics: false });
  // A miner that received the task at /reset and declines it on every attempt (2 here).
  const declined: EvaluationOutcome = {
    errorClass: 'miner_unavailable',
    success: false,
    score: 0,
    reward: null,
    timesteps: 0,
    message: 'reset: HTTP 500',
    durationMs: 3,
    minerHadTask: true,
  };
  const h = await startWorker(config, database.db, () => Promise.resolve(declined), { metrics });
  try {
    const task = makeTask({ task_id: 9, hotkey: '5Decliner' });
    await queues.add(task);
    await waitFor('the declined task to complete with its scored failure', async () => (await queues.getJob(task)) === undefined);
    const stored = await database.db
      .selectFrom('attempts')
      .select(['attempt', 'error_class'])
      .where('hotkey', '=', '5Decliner')
      .orderBy('attempt')
      .execute();
    assert.deepEqual(
      stored.map((a) => a.error_class),
      ['miner_unavailable', 'failure'],
    );

    const families = parsePrometheusText(await metrics.registry.metrics());
    const attempts = (errorClass: string) =>
      valueOf(families, 'evalpool_task_attempts_total', { env: 'test/env-a', error_class: errorClass });
    const miner = (errorClass: string) =>
      valueOf(families, 'evalpool_miner_attempts_total', { hotkey: '5Decliner', error_class: errorClass });
    // The metrics say what the tables say: one unscored attempt, then one scored failure.
    assert.deepEqual([attempts('miner_unavailable'), attempts('failure')], [1, 1]);
    assert.deepEqual([miner('miner_unavailable'), miner('failure')], [1, 1]);
    assert.equal(valueOf(families, 'evalpool_tasks_paused_total', { env: 'test/env-a' }), 0);
  } finally {
    await h.stop();
  }
});

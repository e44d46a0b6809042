// The worker with the container family, end to end: tasks in BullMQ with the scheduler's job
// options, a real TaskWorker (and an `evalpool worker` process), the real engine and test image,
// demo miners over HTTP, rows in Postgres. One container serves the in-process worker's tests.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import type { DemoMiner, DemoMinerOptions } from '../../../src/demo/miners/demo-miner.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { LABELS } from '../../../src/envs/container/container-labels.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { definitionFileName } from '../../../src/sampling/sampling-definition.ts';
import { containerEvaluator } from '../../../src/worker/evaluation/container-evaluator.ts';
import { type BuiltInEvaluators, builtInEvaluators, registryEvaluator } from '../../../src/worker/evaluation/evaluators.ts';
import { requireEngineAndImage, SKIP_CONTAINER_TESTS, TEST_DOCKER_SOCKET, TEST_ENV_IMAGE } from '../../helpers/container-engine.ts';
import { spawnCli } from '../../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { makeTempDir, removeTempDir } from '../../helpers/with-temp-dir.ts';
import { attemptRows, resultRows, startWorker, type WorkerHarness } from '../harness.ts';

const REACH = 'container/reach-v1';
const STALL = 'container/stall-v1';
const WORKER_ID = `container-worker-${process.pid}`;
const database = useTestDatabase();
const redis = useTestRedis();
/** The settings of every worker of this file; the engine socket is given explicitly. */
const settings = (): Record<string, string> => ({
  EVALPOOL_QUEUE_PREFIX: redis.prefix,
  EVALPOOL_DOCKER_SOCKET: TEST_DOCKER_SOCKET,
  EVALPOOL_LOCK_DURATION_MS: '2000',
  EVALPOOL_STALLED_INTERVAL_MS: '1000',
  EVALPOOL_RESULT_FLUSH_MS: '5',
  EVALPOOL_TASK_ATTEMPTS: '3',
  EVALPOOL_TASK_BACKOFF_MS: '20',
  // Not what these tests are about: a busy 2-core machine must not turn expert actions into failures.
  EVALPOOL_ACTION_TIMEOUT_MS: '5000',
});
const closers: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const close of closers.reverse()) await close();
});

async function miner(options: DemoMinerOptions): Promise<DemoMiner> {
  const started = await startDemoMiner(options);
  closers.push(() => started.close());
  return started;
}

const results = (hotkey: string) => resultRows(database.db, hotkey);
const attempts = (hotkey: string) => attemptRows(database.db, hotkey);

describe('container envs through the worker (real engine, test image, Postgres, Redis)', { skip: SKIP_CONTAINER_TESTS }, () => {
  let config: Config;
  let queues: TestQueues;
  let engine: DockerEngine;
  let evaluators: BuiltInEvaluators;
  let worker: WorkerHarness;

  before(async () => {
    await requireEngineAndImage();
    config = testConfig(settings());
    queues = TestQueues.open(config);
    engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    evaluators = builtInEvaluators(config, testLogger(), {
      // evalpool's own image runs each episode on a simulator of its own: one container takes them all.
      containerEnvs: [
        { envId: REACH, image: TEST_ENV_IMAGE, maxTimesteps: 200, maxConcurrency: 8 },
        { envId: STALL, image: TEST_ENV_IMAGE, maxTimesteps: 200, maxConcurrency: 8 },
      ],
      workerId: WORKER_ID,
    });
    await evaluators.start([REACH]);
    worker = await startWorker(config, database.db, registryEvaluator(evaluators.registry).evaluator, {
      envs: [REACH],
      concurrency: 4,
      workerId: WORKER_ID,
      hardTimeoutMs: 120_000,
    });
  });

  after(async () => {
    await worker?.stop();
    await evaluators?.stop();
    await queues?.close();
    if (engine) {
      for (const c of await engine.list([`${LABELS.worker}=${WORKER_ID}`]).catch(() => []))
        await engine.remove(c.id).catch(() => undefined);
      engine.close();
    }
  });

  const container = () => evaluators.containers!.containers()[0];

  test('expert and random demo miners: success and failure rows through one reused container', async () => {
    const expert = await miner({ policy: 'expert' });
    const random = await miner({ policy: 'random' });
    const seeds = [11, 12, 13, 14, 15, 16];
    for (const task_id of seeds) {
      await queues.add(makeTask({ env: REACH, task_id, hotkey: '5CExpert', endpoint: expert.url }));
      await queues.add(makeTask({ env: REACH, task_id, hotkey: '5CRandom', endpoint: random.url }));
    }
    await waitFor('12 result rows', async () => (await results('5CExpert')).length + (await results('5CRandom')).length === 12, 120_000);
    const expertRows = await results('5CExpert');
    const randomRows = await results('5CRandom');
    assert.deepEqual(
      expertRows.map((r) => r.task_id),
      seeds,
    );
    assert.ok(expertRows.filter((r) => r.success).length >= 5, JSON.stringify(expertRows.map((r) => [r.error_class, r.error_message])));
    assert.ok(randomRows.filter((r) => r.success).length <= 1);
    for (const row of [...expertRows, ...randomRows]) {
      assert.equal(row.error_class, row.success ? 'success' : 'failure');
      assert.equal(row.score, row.success ? 1 : 0);
      assert.equal(row.worker_id, WORKER_ID);
      assert.equal(row.env_id, REACH);
      assert.ok(row.timesteps !== null && row.timesteps > 0 && row.timesteps <= 200);
      assert.ok(row.reward !== null && Number.isFinite(row.reward));
    }
    assert.ok(
      randomRows.filter((r) => !r.success).every((r) => r.timesteps === 200),
      'a random policy uses every step',
    );
    assert.equal(expert.counts.reset, 6);
    assert.equal(container()?.generation, 1, 'one container served every task');
    const listed = await engine.list([`${LABELS.worker}=${WORKER_ID}`]);
    assert.deepEqual(
      listed.map((c) => c.labels[LABELS.env]),
      [`${REACH},${STALL}`],
    );
  });

  test('the container killed from outside mid-task: an env_error attempt, the task retried on a restarted container, then its result', async () => {
    const slow = await miner({ policy: 'expert', misbehaviour: { mode: 'slow', on: 'act', delayMs: 50 } });
    const first = container()!;
    const task = makeTask({ env: REACH, task_id: 21, hotkey: '5CKilled', endpoint: slow.url });
    await queues.add(task);
    await waitFor('the episode to be under way', () => slow.counts.act >= 3);
    await engine.kill(first.id);
    slow.setMisbehaviour({ mode: 'none' });
    await waitFor('the result row', async () => (await results('5CKilled')).length === 1);
    const tries = await attempts('5CKilled');
    assert.deepEqual(
      tries.map((a) => [a.attempt, a.error_class]),
      [
        [1, 'env_error'],
        [2, 'success'],
      ],
    );
    assert.match(tries[0]?.error_message ?? '', /env container: POST \/call: the connection failed/);
    assert.equal((await results('5CKilled'))[0]?.success, true);
    assert.ok(container()!.generation > first.generation, 'a new container');
    assert.equal(await engine.state(first.id), undefined, 'the killed container was removed');
    assert.equal(slow.counts.reset, 2, 'the episode ran again from /reset');
  });

  test('the evaluator: an overrunning container is an env_error and is recycled', async () => {
    const expert = await miner({ policy: 'expert' });
    const before = container()!;
    const evaluate = containerEvaluator({
      containers: evaluators.containers!,
      envs: [{ envId: STALL, image: TEST_ENV_IMAGE, maxTimesteps: 200 }],
      timeouts: { episodeMs: 300 },
      callGraceMs: 200,
    });
    const outcome = await evaluate(makeTask({ env: STALL, endpoint: expert.url }), new AbortController().signal);
    assert.equal(outcome.errorClass, 'env_error');
    assert.match(outcome.message ?? '', /no answer within 500 ms/);
    await waitFor('the recycled container', () => container() !== undefined && container()!.generation > before.generation);
  });

  test('stopping the worker and its evaluators removes its containers', async () => {
    assert.equal((await engine.list([`${LABELS.worker}=${WORKER_ID}`])).length, 1);
    await worker.stop();
    await evaluators.stop();
    assert.deepEqual(await engine.list([`${LABELS.worker}=${WORKER_ID}`]), []);
  });
});

describe('`evalpool worker` with a container env', { skip: SKIP_CONTAINER_TESTS }, () => {
  let dir = '';
  let queues: TestQueues;
  before(async () => {
    await requireEngineAndImage();
    dir = makeTempDir('container-lists');
    const definition = {
      env_id: REACH,
      family: 'container',
      image: TEST_ENV_IMAGE,
      max_timesteps: 200,
      max_concurrency: 2,
      dataset: { start: 0, end: 1000 },
      list_size: 8,
      rotation: { count: 2, interval_seconds: 600 },
      scored: true,
    };
    await writeFile(join(dir, definitionFileName(REACH)), JSON.stringify(definition));
    const config = testConfig(settings());
    queues = TestQueues.open(config);
  });
  after(async () => {
    await queues?.close();
    removeTempDir(dir);
  });

  test('reads the image from the sampling definitions, runs the task in a container, and removes it on SIGTERM', async () => {
    const expert = await miner({ policy: 'expert' });
    const workerId = `cli-container-${process.pid}`;
    const cli = spawnCli(['worker', '--envs', REACH, '--concurrency', '2'], {
      ...settings(),
      EVALPOOL_DATABASE_URL: database.url,
      EVALPOOL_SAMPLING_LISTS_DIR: dir,
      EVALPOOL_WORKER_ID: workerId,
    });
    closers.push(() => cli.kill());
    await cli.waitForLog((l) => l.msg === 'evalpool worker is running');
    await queues.add(makeTask({ env: REACH, task_id: 31, hotkey: '5CCli', endpoint: expert.url }));
    await waitFor('the result row', async () => (await results('5CCli')).length === 1);
    assert.equal((await results('5CCli'))[0]?.success, true);
    const engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    try {
      assert.equal((await engine.list([`${LABELS.worker}=${workerId}`])).length, 1);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited(), 0, cli.stderr());
      assert.deepEqual(await engine.list([`${LABELS.worker}=${workerId}`]), []);
    } finally {
      engine.close();
    }
  });

  test('no engine on the socket: exits 1 with one sentence saying how to get one', async () => {
    const cli = spawnCli(['worker', '--envs', REACH], {
      ...settings(),
      EVALPOOL_DATABASE_URL: database.url,
      EVALPOOL_SAMPLING_LISTS_DIR: dir,
      EVALPOOL_DOCKER_SOCKET: '/nonexistent/evalpool.sock',
    });
    closers.push(() => cli.kill());
    assert.equal(await cli.exited(), 1);
    assert.match(cli.stderr(), /evalpool: container engine at \/nonexistent\/evalpool\.sock: ping failed: .*containers\/podman-engine\.sh/);
  });
});

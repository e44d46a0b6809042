// The rule for Actor exceptions nothing attributes (container-outcome.ts, rule 3), end to end:
// tasks in BullMQ with the scheduler's job options, a real TaskWorker, the affinetes double image
// on the real engine, real miners over HTTP (honest and adversarial), rows in Postgres. An
// adversary that makes the Actor raise on a task two other miners played out gets a scored failure (and its replica is replaced); on a
// task nobody played yet the fault stays unattributed (paused); a genuine env fault before the
// miner is called is never scored, whoever else played other envs' tasks.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import type { ContainerEnvSpec } from '../../../src/envs/container/container-env-spec.ts';
import { LABELS } from '../../../src/envs/container/container-labels.ts';
import { ContainerManager } from '../../../src/envs/container/container-manager.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { containerEvaluator } from '../../../src/worker/evaluation/container-evaluator.ts';
import {
  requireEngineAndImage,
  SKIP_CONTAINER_TESTS,
  TEST_AFFINETES_DOUBLE_IMAGE,
  TEST_DOCKER_SOCKET,
} from '../../helpers/container-engine.ts';
import { type ReachMiner, type ReachMinerMode, startReachMiner } from '../../helpers/reach-miner.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { attemptRows, resultRows, startWorker, type WorkerHarness } from '../harness.ts';

const REACH = 'metaworld/reach-v3';
const RAISE = 'metaworld/raise-v3';
const WORKER_ID = `actor-faults-${process.pid}`;
const database = useTestDatabase();
const redis = useTestRedis();
const spec = (envId: string): ContainerEnvSpec => ({
  envId,
  image: TEST_AFFINETES_DOUBLE_IMAGE,
  maxTimesteps: 50,
  replicas: 2,
  memoryMb: 512,
  cpus: 1,
});
const ENVS = [spec(REACH), spec(RAISE)];

describe('unattributed Actor exceptions through the worker (real engine, the double, Postgres, Redis)', {
  skip: SKIP_CONTAINER_TESTS,
}, () => {
  let config: Config;
  let queues: TestQueues;
  let manager: ContainerManager;
  let worker: WorkerHarness;
  const miners: ReachMiner[] = [];

  async function minerIn(mode: ReachMinerMode): Promise<ReachMiner> {
    const started = await startReachMiner();
    started.mode = mode;
    miners.push(started);
    return started;
  }

  before(async () => {
    await requireEngineAndImage(TEST_AFFINETES_DOUBLE_IMAGE);
    config = testConfig({
      EVALPOOL_QUEUE_PREFIX: redis.prefix,
      EVALPOOL_LOCK_DURATION_MS: '5000',
      EVALPOOL_STALLED_INTERVAL_MS: '2000',
      EVALPOOL_RESULT_FLUSH_MS: '5',
      EVALPOOL_TASK_ATTEMPTS: '3',
      EVALPOOL_TASK_BACKOFF_MS: '20',
    });
    queues = TestQueues.open(config);
    manager = new ContainerManager({ socketPath: TEST_DOCKER_SOCKET, workerId: WORKER_ID, envs: ENVS, logger: testLogger() });
    // Generous per-call time: a loaded 2-core machine must not turn answers into timeouts.
    const evaluator = containerEvaluator({ containers: manager, envs: ENVS, timeouts: { resetMs: 5_000, actionMs: 5_000 } });
    worker = await startWorker(config, database.db, evaluator, {
      envs: [REACH, RAISE],
      concurrency: 2,
      workerId: WORKER_ID,
      hardTimeoutMs: 120_000,
    });
  });

  after(async () => {
    await worker?.stop();
    await manager?.stop();
    await queues?.close();
    for (const m of miners) await m.close();
    const engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    for (const c of await engine.list([`${LABELS.worker}=${WORKER_ID}`]).catch(() => [])) await engine.remove(c.id).catch(() => undefined);
    engine.close();
  });

  test('adversaries that make the Actor raise on a task another miner played: scored failures after the attempts', async () => {
    // The evidence: two other hotkeys played the task out.
    for (const hotkey of ['5HHonest', '5HHonest2']) {
      await queues.add(makeTask({ env: REACH, task_id: 41, hotkey, endpoint: (await minerIn('ok')).url }));
      await waitFor(`${hotkey}'s result`, async () => (await resultRows(database.db, hotkey)).length === 1, 120_000);
      assert.equal((await resultRows(database.db, hotkey))[0]?.success, true);
    }

    const adversaries: [string, ReachMinerMode, RegExp][] = [
      ['5HEmpty', 'act-empty', /IndexError: index 0 is out of bounds/],
      ['5HNan', 'act-nan', /FatalError: Nan, Inf or huge value in QACC/],
    ];
    for (const [hotkey, mode] of adversaries)
      await queues.add(makeTask({ env: REACH, task_id: 41, hotkey, endpoint: (await minerIn(mode)).url }));
    for (const [hotkey, , message] of adversaries) {
      await waitFor(`${hotkey}'s result`, async () => (await resultRows(database.db, hotkey)).length === 1, 120_000);
      const [row] = await resultRows(database.db, hotkey);
      assert.deepEqual([row?.error_class, row?.score, row?.success], ['failure', 0, false], hotkey);
      assert.match(
        row?.error_message ?? '',
        /^scored as a failure: the env failed in this miner's episodes of this task \(3 attempt\(s\)\)/,
        hotkey,
      );
      assert.match(row?.error_message ?? '', message, hotkey);
      assert.deepEqual(
        (await attemptRows(database.db, hotkey)).map((a) => a.error_class),
        ['env_error', 'env_error', 'failure'],
        hotkey,
      );
    }
    // Each Actor exception retired its replica (the simulator may be broken): replaced, generation 2 or later.
    const engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    try {
      const generations = (await engine.list([`${LABELS.worker}=${WORKER_ID}`])).map((c) =>
        Number(/-r\d+-(\d+)-[^-]+$/.exec(c.name)?.[1] ?? 0),
      );
      assert.ok(Math.max(...generations) >= 2, `a replica was replaced after the Actor raised (generations ${generations.join(', ')})`);
    } finally {
      engine.close();
    }
  });

  test('the same adversary on a task nobody else played: paused, never scored (it gains only delay)', async () => {
    const adversary = await minerIn('act-empty');
    const task = makeTask({ env: REACH, task_id: 42, hotkey: '5HAlone', endpoint: adversary.url });
    await queues.add(task);
    await waitFor('the task to be paused', async () => (await queues.state(task)) === 'failed', 120_000);
    assert.deepEqual(await resultRows(database.db, '5HAlone'), []);
    assert.deepEqual(
      (await attemptRows(database.db, '5HAlone')).map((a) => a.error_class),
      ['env_error', 'env_error', 'env_error'],
    );
  });

  test('a genuine env fault before the miner is called, for every miner: paused, never scored, though those miners played other tasks', async () => {
    const first = await minerIn('ok');
    const second = await minerIn('ok');
    const tasks = [
      makeTask({ env: RAISE, task_id: 41, hotkey: '5HHonest', endpoint: first.url }),
      makeTask({ env: RAISE, task_id: 41, hotkey: '5HOther', endpoint: second.url }),
    ];
    for (const task of tasks) await queues.add(task);
    for (const task of tasks)
      await waitFor(`${task.hotkey}'s task to be paused`, async () => (await queues.state(task)) === 'failed', 120_000);
    assert.equal((await resultRows(database.db, '5HHonest')).length, 1, 'only its reach-v3 result');
    assert.deepEqual(await resultRows(database.db, '5HOther'), []);
    assert.equal(first.counts.reset + second.counts.reset, 0, 'the miners were never called');
  });
});

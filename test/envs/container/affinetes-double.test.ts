// The container family against an affinetes-style image: the double of
// containers/env-affinetes-double/ (listens only on AFFINETES_PORT, its Actor checks its family
// prefix, answers failures without `timesteps`, keeps one non-thread-safe simulator per env id),
// run by the real engine, called by the real manager and container evaluator, with a real miner.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ContainerEnvSpec } from '../../../src/envs/container/container-env-spec.ts';
import { LABELS } from '../../../src/envs/container/container-labels.ts';
import { ContainerManager } from '../../../src/envs/container/container-manager.ts';
import { DockerEngine } from '../../../src/envs/container/docker-engine.ts';
import { freePort } from '../../../src/envs/container/free-port.ts';
import { containerEvaluator } from '../../../src/worker/evaluation/container-evaluator.ts';
import type { Evaluator } from '../../../src/worker/evaluation/evaluator.ts';
import {
  requireEngineAndImage,
  SKIP_CONTAINER_TESTS,
  TEST_AFFINETES_DOUBLE_IMAGE,
  TEST_DOCKER_SOCKET,
} from '../../helpers/container-engine.ts';
import { type ReachMiner, type ReachMinerMode, startReachMiner } from '../../helpers/reach-miner.ts';
import { makeTask } from '../../helpers/task-jobs.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const REACH = 'metaworld/reach-v3';
const workerId = `test-double-${process.pid}`;
const spec = (envId: string, more: Partial<ContainerEnvSpec> = {}): ContainerEnvSpec => ({
  envId,
  image: TEST_AFFINETES_DOUBLE_IMAGE,
  maxTimesteps: 50,
  replicas: 3,
  memoryMb: 512,
  cpus: 1,
  ...more,
});
// Every env of the image: the family's own and one of another family (what evalpool sent before).
const TEMPLATE = 'metaworld/template-reach-v3';
const DIVERGE = 'metaworld/diverge-v3';
const ENVS = [
  spec(REACH),
  spec('metaworld/raise-v3'),
  spec('metaworld/crash-v3'),
  spec('metaworld/failed-v3'),
  spec('container/reach-v1'),
  spec(TEMPLATE),
  spec(DIVERGE),
];
// Generous per-step time: a loaded 2-core machine must not turn answers into timeouts.
const timeouts = { resetMs: 5_000, actionMs: 5_000 };

interface DoubleStats {
  calls: number;
  max_in_flight: number;
  concurrent_calls: number;
  corrupted_episodes: number;
  env_ids: string[];
}

async function statsOf(port: number): Promise<DoubleStats> {
  const response = await fetch(`http://127.0.0.1:${port}/stats`);
  return (await response.json()) as DoubleStats;
}

describe('an affinetes-style image (real engine, the double, a real miner)', { skip: SKIP_CONTAINER_TESTS }, () => {
  let engine: DockerEngine;
  let miner: ReachMiner;
  let manager: ContainerManager;
  let evaluate: Evaluator;
  const run = (env: string, taskId: number, endpoint?: string) =>
    evaluate(makeTask({ env, task_id: taskId, endpoint: endpoint ?? miner.url }), new AbortController().signal);

  before(async () => {
    await requireEngineAndImage(TEST_AFFINETES_DOUBLE_IMAGE);
    engine = new DockerEngine({ socketPath: TEST_DOCKER_SOCKET });
    miner = await startReachMiner();
    manager = new ContainerManager({ socketPath: TEST_DOCKER_SOCKET, workerId, envs: ENVS, logger: testLogger(), healthIntervalMs: 300 });
    evaluate = containerEvaluator({ containers: manager, envs: ENVS, timeouts });
  });

  after(async () => {
    await manager?.stop();
    await miner?.close();
    if (engine) {
      for (const c of await engine.list([`${LABELS.worker}=${workerId}`]).catch(() => [])) await engine.remove(c.id).catch(() => undefined);
      engine.close();
    }
  });

  test('it becomes healthy on AFFINETES_PORT and gets the list’s own env id', async () => {
    const outcome = await run(REACH, 4);
    assert.equal(outcome.errorClass, 'success', JSON.stringify(outcome));
    assert.ok((outcome.timesteps ?? 0) > 0);
    assert.deepEqual(miner.resetEnvIds, [REACH], 'the Actor passed the env id it was given to the miner');
    const [container] = manager.containers();
    assert.ok(container);
    assert.deepEqual((await statsOf(container.port)).env_ids, [REACH]);
  });

  test('concurrent tasks: one episode per container at a time, replicas up to the limit, each labelled', async () => {
    const outcomes = await Promise.all([10, 11, 12, 13, 14, 15].map((taskId) => run(REACH, taskId)));
    for (const outcome of outcomes) assert.equal(outcome.errorClass, 'success', JSON.stringify(outcome));
    const containers = manager.containers();
    assert.ok(containers.length >= 2 && containers.length <= 3, `${containers.length} containers`);
    for (const container of containers) {
      const stats = await statsOf(container.port);
      assert.equal(stats.concurrent_calls, 0, `container ${container.replica} was called concurrently`);
      assert.equal(stats.corrupted_episodes, 0);
      assert.equal(stats.max_in_flight, 1);
    }
    const listed = await engine.list([`${LABELS.worker}=${workerId}`]);
    assert.deepEqual(listed.map((c) => c.labels[LABELS.replica]).sort(), containers.map((c) => String(c.replica)).sort());
    assert.ok(manager.load().every((slot) => slot.inFlight === 0));
  });

  test('one replica killed while idle: the periodic check replaces that one, the others are untouched', async () => {
    const before = manager.containers();
    const victim = before.at(-1)!;
    await engine.kill(victim.id);
    await waitFor(
      'a new container in the killed replica',
      () => manager.containers().some((c) => c.replica === victim.replica && c.generation > victim.generation),
      30_000,
    );
    assert.equal(await engine.state(victim.id), undefined, 'the dead container was removed');
    for (const other of before.filter((c) => c.replica !== victim.replica))
      assert.ok(
        manager.containers().some((c) => c.id === other.id),
        `replica ${other.replica} kept its container`,
      );
    assert.equal((await run(REACH, 16)).errorClass, 'success');
  });

  test('a dead miner is miner_unavailable, never a scored failure', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const outcome = await run(REACH, 20, dead);
    assert.equal(outcome.errorClass, 'miner_unavailable', JSON.stringify(outcome));
    assert.equal(outcome.score, 0);
    assert.match(outcome.message ?? '', /^Miner reset failed: ConnectError/);
  });

  test('a miner that got /reset and answered 500: the miner had the task (retried, then a scored failure)', async () => {
    miner.mode = 'reset-500';
    try {
      const outcome = await run(REACH, 21);
      assert.equal(outcome.errorClass, 'miner_unavailable', JSON.stringify(outcome));
      assert.equal(outcome.minerHadTask, true, 'the measured-episode rule scores it once the attempts run out');
      assert.match(outcome.message ?? '', /^Miner reset failed: HTTPStatusError/);
    } finally {
      miner.mode = 'ok';
    }
  });

  test('configuration faults and Actor failures are env_error with the server’s text kept; the ones a miner could also cause are unattributed', async () => {
    const resets = miner.counts.reset;
    const cases: [string, RegExp, boolean][] = [
      ['container/reach-v1', /^Invalid env_id for Double container: container\/reach-v1\. Must start with 'metaworld\/'/, false],
      // A genuine env fault before the miner is called, in the same bare form as a provoked one.
      ['metaworld/raise-v3', /^RuntimeError: MuJoCo simulation unstable/, true],
      ['metaworld/crash-v3', /HTTP 500: the double was asked to crash\nTraceback/, true],
      ['metaworld/failed-v3', /status "failed": Task execution exceeded timeout of/, false],
    ];
    for (const [env, message, unattributed] of cases) {
      const outcome = await run(env, 22);
      assert.equal(outcome.errorClass, 'env_error', `${env}: ${JSON.stringify(outcome)}`);
      assert.match(outcome.message ?? '', message, env);
      assert.equal(outcome.unattributedFault === true, unattributed, env);
    }
    assert.equal(miner.counts.reset, resets, 'none of them called the miner');
  });

  test('adversarial actions: the ones that make the Actor raise are unattributed env faults, never a plain env_error; the rest are played', async () => {
    const cases: [ReachMinerMode, string, string, RegExp, boolean][] = [
      // metaworld's step is outside its /act try: the exception comes back bare.
      ['act-empty', REACH, 'env_error', /^IndexError: index 0 is out of bounds for axis 0 with size 0\nTraceback/, true],
      ['act-nan', REACH, 'env_error', /^FatalError: Nan, Inf or huge value in QACC at DOF 0\. The simulation is unstable/, true],
      // The simulator lets NaN through: the result does not serialize (FastAPI's bare 500).
      ['act-nan', DIVERGE, 'env_error', /HTTP 500: Internal Server Error$/, true],
      // An invalid action is caught in the /act try: a played, scored failure at step 0.
      [
        'act-not-a-list',
        REACH,
        'failure',
        /^Miner action failed at step 0: ValidationError: 1 validation error for Action\ncontinuous\.delta\n/,
        false,
      ],
      // `_template`: every miner call error comes bare; a miner-call exception type is the miner's.
      ['act-500', TEMPLATE, 'miner_unavailable', /^HTTPStatusError: Server error '500 Internal Server Error' for url/, false],
      ['act-empty', TEMPLATE, 'env_error', /^IndexError: /, true],
    ];
    try {
      for (const [mode, env, errorClass, message, unattributed] of cases) {
        miner.mode = mode;
        const outcome = await run(env, 23);
        const what = `${mode} on ${env}: ${JSON.stringify(outcome)}`;
        assert.equal(outcome.errorClass, errorClass, what);
        assert.match(outcome.message ?? '', message, what);
        assert.equal(outcome.unattributedFault === true, unattributed, what);
        assert.equal(outcome.minerHadTask === true, errorClass === 'miner_unavailable', what);
      }
      // inf is clipped to the bound, as np.clip does: the episode is played and scored.
      miner.mode = 'act-huge';
      const huge = await run(REACH, 23);
      assert.ok(huge.errorClass === 'success' || huge.errorClass === 'failure', JSON.stringify(huge));
      assert.ok((huge.timesteps ?? 0) > 0);
    } finally {
      miner.mode = 'ok';
    }
    assert.equal((await run(TEMPLATE, 24)).errorClass, 'success', 'the template-style env plays an honest miner');
  });
});

describe('the double detects what the pool prevents', { skip: SKIP_CONTAINER_TESTS }, () => {
  test('one container told to take 4 episodes at once: its simulator is used concurrently and says so', async () => {
    await requireEngineAndImage(TEST_AFFINETES_DOUBLE_IMAGE);
    const miner = await startReachMiner();
    const envs = [spec(REACH, { maxConcurrency: 4, replicas: 1 })];
    const manager = new ContainerManager({ socketPath: TEST_DOCKER_SOCKET, workerId: `${workerId}-shared`, envs, logger: testLogger() });
    try {
      const evaluate = containerEvaluator({ containers: manager, envs, timeouts });
      await Promise.all(
        [30, 31, 32, 33].map((taskId) =>
          evaluate(makeTask({ env: REACH, task_id: taskId, endpoint: miner.url }), new AbortController().signal),
        ),
      );
      assert.equal(manager.containers().length, 1);
      const stats = await statsOf(manager.containers()[0]!.port);
      assert.ok(stats.concurrent_calls > 0, JSON.stringify(stats));
    } finally {
      await manager.stop();
      await miner.close();
    }
  });
});

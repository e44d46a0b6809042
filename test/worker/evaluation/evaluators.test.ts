import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CONTAINER_START_TIMEOUT_MS } from '../../../src/config/constants.ts';
import { UnsupportedEnvironmentError } from '../../../src/worker/evaluation/errors.ts';
import type { Evaluator } from '../../../src/worker/evaluation/evaluator.ts';
import {
  assertSupported,
  builtInEvaluators,
  noopEvaluator,
  registryEvaluator,
  runnableEnvs,
} from '../../../src/worker/evaluation/evaluators.ts';
import { makeTask } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { testLogger } from '../../helpers/test-logger.ts';

test('tasks go to their family evaluator; an unknown family is a clear error', async () => {
  const seen: string[] = [];
  const fake: Evaluator = (task) => {
    seen.push(task.env);
    return noopEvaluator(task, new AbortController().signal);
  };
  const { evaluator, supports } = registryEvaluator({ fake, noop: noopEvaluator });
  assert.equal(supports('fake/x'), true);
  assert.equal(supports('toString/x'), false, 'no prototype keys');
  await evaluator(makeTask({ env: 'fake/one' }), new AbortController().signal);
  assert.deepEqual(seen, ['fake/one']);
  await assert.rejects(evaluator(makeTask({ env: 'mujoco/reach-v1' }), new AbortController().signal), UnsupportedEnvironmentError);
});

test('a family with a fixed set of envs runs only those', () => {
  const registry = { fixed: { evaluate: noopEvaluator, envs: ['fixed/a'] }, noop: noopEvaluator };
  const { supports } = registryEvaluator(registry);
  assert.equal(supports('fixed/a'), true);
  assert.equal(supports('fixed/b'), false);
  assert.deepEqual(runnableEnvs(registry), ['fixed/a', 'noop/*']);
});

test('an env listed by an evaluator goes to it whatever its id starts with (the images’ own ids)', async () => {
  const seen: string[] = [];
  const listed: typeof noopEvaluator = (task, signal) => {
    seen.push(task.env);
    return noopEvaluator(task, signal);
  };
  const registry = { container: { evaluate: listed, envs: ['metaworld/reach-v3'] }, noop: noopEvaluator };
  const { supports, evaluator } = registryEvaluator(registry);
  assert.equal(supports('metaworld/reach-v3'), true);
  assert.equal(supports('metaworld/push-v3'), false);
  await evaluator(makeTask({ env: 'metaworld/reach-v3' }), new AbortController().signal);
  assert.deepEqual(seen, ['metaworld/reach-v3']);
});

test('the built-in evaluators run noop and the three MuJoCo envs; assertSupported names what it cannot run', async () => {
  const builtIn = builtInEvaluators(testConfig(), testLogger());
  try {
    assert.deepEqual(runnableEnvs(builtIn.registry), ['mujoco/balance-v1', 'mujoco/push-v1', 'mujoco/reach-v1', 'noop/*']);
    assert.throws(
      () => assertSupported(builtIn.registry, ['noop/a', 'mujoco/nope-v1', 'x']),
      /^UnsupportedEnvironmentError: no evaluator for mujoco\/nope-v1, x; this worker can run: mujoco\/balance-v1, mujoco\/push-v1, mujoco\/reach-v1, noop\/\*$/,
    );
    assertSupported(builtIn.registry, ['noop/a', 'mujoco/reach-v1']);
  } finally {
    await builtIn.stop();
  }
});

test('container envs: the container family exists only when there are some; its limits feed the hard timeout; nothing opened before a task', async () => {
  const plain = builtInEvaluators(testConfig(), testLogger());
  assert.equal(Object.hasOwn(plain.registry, 'container'), false);
  assert.equal(plain.containers, undefined);
  await plain.start(['mujoco/reach-v1']);
  await plain.stop();

  // No engine behind this socket: nothing may touch it unless a container env is consumed.
  const config = testConfig({ EVALPOOL_DOCKER_SOCKET: '/nonexistent/evalpool.sock' });
  const withContainers = builtInEvaluators(config, testLogger(), {
    containerEnvs: [{ envId: 'container/reach-v1', image: 'localhost/env:dev', maxTimesteps: 150 }],
    workerId: 'w',
  });
  try {
    assert.deepEqual(runnableEnvs(withContainers.registry), [
      'container/reach-v1',
      'mujoco/balance-v1',
      'mujoco/push-v1',
      'mujoco/reach-v1',
      'noop/*',
    ]);
    const { supports, limits } = registryEvaluator(withContainers.registry);
    assert.equal(supports('container/other-v1'), false);
    assert.deepEqual(limits('container/reach-v1'), { maxTimesteps: 150, setupMs: CONTAINER_START_TIMEOUT_MS });
    assert.deepEqual(limits('mujoco/reach-v1'), { maxTimesteps: 200, setupMs: 0 });
    assert.equal(limits('noop/x'), undefined);
    await withContainers.start(['mujoco/reach-v1']);
    await assert.rejects(withContainers.start(['container/reach-v1']), /evalpool\.sock: ping failed.*podman-engine\.sh/);
  } finally {
    await withContainers.stop();
  }
});

test('noop succeeds at once with score 1', async () => {
  const outcome = await noopEvaluator(makeTask({ env: 'noop/x' }), new AbortController().signal);
  assert.equal(outcome.errorClass, 'success');
  assert.equal(outcome.score, 1);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSupported, builtInEvaluators, noopEvaluator, registryEvaluator, runnableEnvs, UnsupportedEnvironmentError } from '../../src/worker/evaluators.ts';
import type { Evaluator } from '../../src/worker/evaluator.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';

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

test('noop succeeds at once with score 1', async () => {
  const outcome = await noopEvaluator(makeTask({ env: 'noop/x' }), new AbortController().signal);
  assert.equal(outcome.errorClass, 'success');
  assert.equal(outcome.score, 1);
});

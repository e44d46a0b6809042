import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertSupported, builtInEvaluators, envFamily, noopEvaluator, registryEvaluator, UnsupportedEnvironmentError } from '../../src/worker/evaluators.ts';
import type { Evaluator } from '../../src/worker/evaluator.ts';
import { makeTask } from '../helpers/task-jobs.ts';

test('the family of an env is the part before its first slash', () => {
  assert.equal(envFamily('mujoco/reach-v1'), 'mujoco');
  assert.equal(envFamily('a/b/c'), 'a');
  assert.equal(envFamily('plain'), 'plain');
});

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

test('assertSupported names every env it cannot run and the families it can', () => {
  assert.throws(
    () => assertSupported(builtInEvaluators(), ['noop/a', 'mujoco/reach-v1', 'x']),
    /no evaluator for mujoco\/reach-v1 \(family "mujoco"\), x \(family "x"\); this worker can run the families: noop/,
  );
  assertSupported(builtInEvaluators(), ['noop/a']);
});

test('noop succeeds at once with score 1', async () => {
  const outcome = await noopEvaluator(makeTask({ env: 'noop/x' }), new AbortController().signal);
  assert.equal(outcome.errorClass, 'success');
  assert.equal(outcome.score, 1);
});

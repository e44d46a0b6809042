import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import type { DemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import type { EpisodeOutcome } from '../../../src/worker/episode/run-episode.ts';
import type { EvaluationOutcome } from '../../../src/worker/evaluation/evaluator.ts';
import { EvaluationOutcomeSchema } from '../../../src/worker/evaluation/evaluator.ts';
import { type BuiltInEvaluators, builtInEvaluators, registryEvaluator } from '../../../src/worker/evaluation/evaluators.ts';
import { evaluationOutcome } from '../../../src/worker/evaluation/mujoco-evaluator.ts';
import { makeTask } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { refusedPort } from '../../miners/test-server.ts';

let builtIn: BuiltInEvaluators;
let expert: DemoMiner;
let failing: DemoMiner;
before(async () => {
  // A breaker that opens after 2 consecutive miner_unavailable attempts, for a long time.
  builtIn = builtInEvaluators(
    testConfig({ EVALPOOL_CIRCUIT_FAILURE_THRESHOLD: '2', EVALPOOL_CIRCUIT_COOLDOWN_MS: '600000' }),
    testLogger(),
  );
  expert = await startDemoMiner({ policy: 'expert' });
  failing = await startDemoMiner({ policy: 'expert', misbehaviour: { mode: 'error500', on: 'reset' } });
});
after(async () => {
  await builtIn.stop();
  await expert.close();
  await failing.close();
});

function evaluate(
  endpoint: string,
  taskId: number,
  signal = new AbortController().signal,
  env = 'mujoco/reach-v1',
): Promise<EvaluationOutcome> {
  return registryEvaluator(builtIn.registry).evaluator(makeTask({ env, endpoint, task_id: taskId }), signal);
}

describe('the mujoco evaluator', () => {
  test('runs an episode against the miner over HTTP: a valid outcome with reward, steps and mean action latency', async () => {
    for (const env of ['mujoco/reach-v1', 'mujoco/push-v1', 'mujoco/balance-v1']) {
      const outcome = await evaluate(expert.url, 1, undefined, env);
      assert.ok(v.is(EvaluationOutcomeSchema, outcome), JSON.stringify(outcome));
      assert.equal(outcome.errorClass, 'success', `${env}: ${outcome.message}`);
      assert.equal(outcome.score, 1);
      assert.ok(outcome.timesteps !== null && outcome.timesteps > 0);
      assert.equal(typeof outcome.reward, 'number');
      assert.ok(outcome.latencyMs !== undefined && outcome.latencyMs > 0);
      assert.equal(outcome.circuitOpenUntilMs, undefined);
    }
  });

  test('the same task twice gives the same outcome (but for timings)', async () => {
    const strip = ({ latencyMs: _l, durationMs: _d, ...rest }: EvaluationOutcome) => rest;
    assert.deepEqual(strip(await evaluate(expert.url, 42)), strip(await evaluate(expert.url, 42)));
  });

  test('500 on /reset is miner_unavailable; the breaker opens at the threshold and the outcome says until when', async () => {
    const first = await evaluate(failing.url, 1);
    assert.equal(first.errorClass, 'miner_unavailable');
    assert.match(first.message ?? '', /HTTP 500/);
    assert.equal(first.circuitOpenUntilMs, undefined, 'one failure: still closed');
    const before = Date.now();
    const second = await evaluate(failing.url, 2);
    assert.equal(second.errorClass, 'miner_unavailable');
    assert.ok(
      second.circuitOpenUntilMs !== undefined && second.circuitOpenUntilMs >= before + 600_000 - 1_000,
      String(second.circuitOpenUntilMs),
    );
    // Open: refused without calling the miner.
    const resets = failing.counts.reset;
    const third = await evaluate(failing.url, 3);
    assert.equal(third.errorClass, 'miner_unavailable');
    assert.match(third.message ?? '', /circuit .* is open/);
    assert.equal(third.circuitOpenUntilMs, second.circuitOpenUntilMs);
    assert.equal(failing.counts.reset, resets);
  });

  test('a refused connection is miner_unavailable', async () => {
    const outcome = await evaluate(`http://127.0.0.1:${await refusedPort()}`, 1);
    assert.equal(outcome.errorClass, 'miner_unavailable');
    assert.match(outcome.message ?? '', /refused/);
  });

  test('an aborted evaluation (shutdown) is a worker_error', async () => {
    const controller = new AbortController();
    controller.abort(new Error('the worker is shutting down'));
    const outcome = await evaluate(expert.url, 1, controller.signal);
    assert.equal(outcome.errorClass, 'worker_error');
  });
});

test('evaluationOutcome: latency is the mean of the action latencies; the circuit only rides on miner_unavailable', () => {
  const episode: EpisodeOutcome = {
    errorClass: 'failure',
    success: false,
    score: 0,
    totalReward: -3.5,
    timesteps: 3,
    message: null,
    minerHadTask: true,
    actionLatenciesMs: [1, 2, 6],
    durationMs: 12,
  };
  assert.deepEqual(evaluationOutcome(episode, 99), {
    errorClass: 'failure',
    success: false,
    score: 0,
    reward: -3.5,
    timesteps: 3,
    durationMs: 12,
    latencyMs: 3,
    minerHadTask: true,
  });
  const unavailable = evaluationOutcome(
    {
      ...episode,
      errorClass: 'miner_unavailable',
      timesteps: 0,
      totalReward: 0,
      actionLatenciesMs: [],
      message: 'reset: HTTP 500',
      minerHadTask: false,
    },
    99,
  );
  assert.deepEqual(unavailable, {
    errorClass: 'miner_unavailable',
    success: false,
    score: 0,
    reward: 0,
    timesteps: 0,
    durationMs: 12,
    message: 'reset: HTTP 500',
    circuitOpenUntilMs: 99,
  });
  assert.equal(evaluationOutcome({ ...episode, errorClass: 'miner_unavailable' }, null).circuitOpenUntilMs, undefined);
});

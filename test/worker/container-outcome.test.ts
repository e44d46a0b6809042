import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import type { EvaluateResult } from '../../src/envs/container/contract.ts';
import { containerOutcome, namesUnreachableMiner } from '../../src/worker/container-outcome.ts';
import { EvaluationOutcomeSchema } from '../../src/worker/evaluator.ts';

const result = (overrides: Partial<EvaluateResult> = {}, extra: EvaluateResult['extra'] = { timesteps: 40, total_reward: -3.5 }): EvaluateResult => ({
  success: false,
  score: 0,
  extra,
  ...overrides,
});

describe('containerOutcome', () => {
  test('success takes the env score, steps and reward', () => {
    const outcome = containerOutcome(result({ success: true, score: 0.75 }), 12);
    assert.deepEqual(outcome, { errorClass: 'success', success: true, score: 0.75, reward: -3.5, timesteps: 40, durationMs: 12 });
    assert.ok(v.is(EvaluationOutcomeSchema, outcome));
  });

  test('an unsolved episode without a word is a failure, score 0 whatever the env said', () => {
    const outcome = containerOutcome(result({ score: 0.2 }), 5);
    assert.equal(outcome.errorClass, 'failure');
    assert.equal(outcome.score, 0);
    assert.equal(outcome.message, undefined);
  });

  test('extra.error_class is trusted for an unsolved episode', () => {
    for (const errorClass of ['failure', 'miner_unavailable', 'env_error'] as const) {
      const outcome = containerOutcome(result({ error: 'why' }, { timesteps: 3, total_reward: 0, error_class: errorClass }), 1);
      assert.equal(outcome.errorClass, errorClass);
      assert.equal(outcome.success, false);
      assert.equal(outcome.message, 'why');
      assert.ok(v.is(EvaluationOutcomeSchema, outcome));
    }
  });

  test('success with an error_class contradicts itself: env_error', () => {
    const outcome = containerOutcome(result({ success: true, score: 1 }, { timesteps: 3, error_class: 'failure' }), 1);
    assert.equal(outcome.errorClass, 'env_error');
    assert.match(outcome.message ?? '', /success with error_class "failure"/);
  });

  test('prose naming a connection failure before the first step: miner_unavailable', () => {
    const texts = [
      "HTTPConnectionPool(host='10.0.0.5', port=8000): Max retries exceeded (Caused by NewConnectionError: Failed to establish a new connection: [Errno 111] Connection refused)",
      'httpx.ConnectError: [Errno -2] Name or service not known',
      'reset http://127.0.0.1:9: cannot connect (refused: ECONNREFUSED)',
      'aiohttp.client_exceptions.ClientConnectorError: Cannot connect to host miner:8000',
      'ConnectTimeout: timed out',
    ];
    for (const error of texts) {
      assert.ok(namesUnreachableMiner(error), error);
      assert.equal(containerOutcome(result({ error }, { timesteps: 0, total_reward: 0 }), 1).errorClass, 'miner_unavailable', error);
    }
  });

  test('the same prose once the episode ran, or unknown steps, or other prose: failure', () => {
    const refused = 'Connection refused';
    assert.equal(containerOutcome(result({ error: refused }, { timesteps: 12, total_reward: 0 }), 1).errorClass, 'failure');
    assert.equal(containerOutcome(result({ error: refused }, {}), 1).errorClass, 'failure');
    assert.equal(containerOutcome(result({ error: 'action timed out after 0.5 s' }, { timesteps: 0, total_reward: 0 }), 1).errorClass, 'failure');
    assert.ok(!namesUnreachableMiner('the policy answered NaN'));
  });

  test('missing extra fields become nulls', () => {
    const outcome = containerOutcome(result({ success: true, score: 1 }, {}), 3);
    assert.equal(outcome.timesteps, null);
    assert.equal(outcome.reward, null);
  });
});

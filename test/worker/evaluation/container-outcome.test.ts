import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import type { EvaluateResult } from '../../../src/envs/container/contract.ts';
import {
  containerOutcome,
  type EpisodeStage,
  episodeStage,
  namesUnreachableMiner,
  unattributedHttpFailure,
} from '../../../src/worker/evaluation/container-outcome.ts';
import { EvaluationOutcomeSchema } from '../../../src/worker/evaluation/evaluator.ts';

const result = (
  overrides: Partial<EvaluateResult> = {},
  extra: EvaluateResult['extra'] = { timesteps: 40, total_reward: -3.5 },
): EvaluateResult => ({
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
      const outcome = containerOutcome(result({ error: 'why' }, { timesteps: 0, total_reward: 0, error_class: errorClass }), 1);
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

  test('the same prose once the episode ran, or prose that is not a connection failure: failure', () => {
    const refused = 'Connection refused';
    assert.equal(containerOutcome(result({ error: refused }, { timesteps: 12, total_reward: 0 }), 1).errorClass, 'failure');
    assert.equal(
      containerOutcome(result({ error: 'action timed out after 0.5 s' }, { timesteps: 0, total_reward: 0 }), 1).errorClass,
      'failure',
    );
    assert.ok(!namesUnreachableMiner('the policy answered NaN'));
  });

  // The subnet's Actors (kinitro's metaworld/genesis images): error results carry no `timesteps`.
  const actor = (error: string, extra: EvaluateResult['extra'] = {}): EvaluateResult => ({ success: false, score: 0, error, extra });
  const cases: [string, EvaluateResult, EpisodeStage, string][] = [
    [
      'dead miner at /reset',
      actor('Miner reset failed: ConnectError: [Errno 111] Connection refused'),
      'miner_never_reached',
      'miner_unavailable',
    ],
    [
      'no route to the miner',
      actor('Miner reset failed: ConnectError: All connection attempts failed'),
      'miner_never_reached',
      'miner_unavailable',
    ],
    [
      'miner host unknown',
      actor('Miner reset failed: ConnectError: [Errno -2] Name or service not known'),
      'miner_never_reached',
      'miner_unavailable',
    ],
    ['connect timeout at /reset', actor('Miner reset failed: ConnectTimeout: timed out'), 'miner_never_reached', 'miner_unavailable'],
    [
      'template Actor, dead miner',
      actor('ConnectError: [Errno 111] Connection refused\nTraceback (most recent call last):\n  ...'),
      'miner_never_reached',
      'miner_unavailable',
    ],
    [
      '/reset delivered, 500 back',
      actor("Miner reset failed: HTTPStatusError: Server error '500 Internal Server Error' for url 'http://m/reset'"),
      'miner_had_task',
      'miner_unavailable',
    ],
    ['/reset delivered, no answer', actor('Miner reset failed: ReadTimeout: '), 'miner_had_task', 'miner_unavailable'],
    [
      'template Actor, /act timed out',
      actor('ReadTimeout: \nTraceback (most recent call last):\n  ...'),
      'miner_had_task',
      'miner_unavailable',
    ],
    ['action timeout at step 0', actor('Miner action timeout at step 0', { timesteps_completed: 0 }), 'played', 'failure'],
    [
      'action failed mid-episode',
      actor('Miner action failed at step 17: ConnectError: [Errno 111] Connection refused', { timesteps_completed: 17 }),
      'played',
      'failure',
    ],
    ['no action', actor('Miner returned no action at step 3', { timesteps_completed: 3 }), 'played', 'failure'],
    ['episode over its own timeout', actor('Evaluation timeout after 300s', { timesteps_completed: 250 }), 'played', 'failure'],
    [
      'wrong family',
      actor("Invalid env_id for MetaWorld container: container/reach-v1. Must start with 'metaworld/'"),
      'env_fault',
      'env_error',
    ],
    ['template wrong family', actor("Invalid env_id: container/x. Must start with 'myenv/'"), 'env_fault', 'env_error'],
    // Bare Actor exceptions: the env's own (an unknown task, before /reset) or provoked by the
    // miner's action (metaworld's step is outside its /act try) read the same.
    [
      'unknown task (before the miner)',
      actor("KeyError: 'metaworld/nope-v3'\nTraceback (most recent call last):\n  ..."),
      'unattributed',
      'env_error',
    ],
    [
      'an empty action channel',
      actor('IndexError: index 0 is out of bounds for axis 0 with size 0\nTraceback (most recent call last):\n  ...'),
      'unattributed',
      'env_error',
    ],
    [
      'a twist of the wrong shape',
      actor('ValueError: could not broadcast input array from shape (1,) into shape (3,)\nTraceback (most recent call last):\n  ...'),
      'unattributed',
      'env_error',
    ],
    [
      'NaN action, MuJoCo unstable',
      actor(
        'FatalError: Nan, Inf or huge value in QACC at DOF 0. The simulation is unstable. Time = 0.0125.\nTraceback (most recent call last):\n  ...',
      ),
      'unattributed',
      'env_error',
    ],
    [
      'template Actor, invalid action',
      actor(
        'ValidationError: 1 validation error for Action\ncontinuous.delta\n  Input should be a valid list\nTraceback (most recent call last):\n  ...',
      ),
      'miner_had_task',
      'miner_unavailable',
    ],
    [
      'template Actor, /act 500',
      actor("HTTPStatusError: Server error '500 Internal Server Error' for url 'http://m/act'\nTraceback (most recent call last):\n  ..."),
      'miner_had_task',
      'miner_unavailable',
    ],
  ];
  for (const [name, r, stage, errorClass] of cases) {
    test(`the Actors' answers: ${name} → ${stage}, ${errorClass}`, () => {
      assert.equal(episodeStage(r), stage);
      const outcome = containerOutcome(r, 1);
      assert.equal(outcome.errorClass, errorClass);
      // A task the miner had is measured: retried, then a scored failure (exhausted-outcome.ts).
      assert.equal(outcome.minerHadTask === true, stage === 'miner_had_task');
      // An unattributed fault is settled by evidence across miners at the last attempt (task-worker.ts).
      assert.equal(outcome.unattributedFault === true, stage === 'unattributed');
      assert.equal(outcome.score, 0);
      assert.equal(outcome.message, r.error, 'the Actor’s text is kept');
      assert.ok(v.is(EvaluationOutcomeSchema, outcome));
    });
  }

  test('a dead miner is never a scored failure, whatever extra keys come with it', () => {
    for (const extra of [{}, { timesteps: 0 }, { timesteps: null }, { total_reward: 0 }]) {
      const outcome = containerOutcome(actor('Miner reset failed: ConnectError: [Errno 111] Connection refused', extra), 1);
      assert.equal(outcome.errorClass, 'miner_unavailable', JSON.stringify(extra));
    }
  });

  test('a miner cannot word its own answer into "never reached": its reason phrase and its URL are its words', () => {
    const texts = [
      "Miner reset failed: HTTPStatusError: Server error '503 Connection refused' for url 'http://m/reset'",
      'Miner reset failed: ReadTimeout: http://m/ECONNREFUSED/reset',
      "HTTPStatusError: Server error '503 Connection refused' for url 'http://m/act'\nTraceback (most recent call last):\n  ...",
      'Miner reset failed: RemoteProtocolError: Server disconnected (http://miner/connection-refused ECONNREFUSED)',
    ];
    for (const error of texts) {
      const outcome = containerOutcome(actor(error), 1);
      assert.equal(episodeStage(actor(error)), 'miner_had_task', error);
      assert.deepEqual([outcome.errorClass, outcome.minerHadTask], ['miner_unavailable', true], error);
    }
  });

  test('our own image says the miner had the task: measured like the built-in envs', () => {
    const had = containerOutcome(
      result({ error: 'POST /reset: HTTP 500' }, { timesteps: 0, error_class: 'miner_unavailable', miner_had_task: true }),
      1,
    );
    assert.deepEqual([had.errorClass, had.minerHadTask], ['miner_unavailable', true]);
    const never = containerOutcome(
      result({ error: 'POST /reset: connect ECONNREFUSED' }, { timesteps: 0, error_class: 'miner_unavailable' }),
      1,
    );
    assert.deepEqual([never.errorClass, never.minerHadTask], ['miner_unavailable', undefined]);
  });

  test('a miner cannot make its exception read as a configuration fault: only the Actor writes the first words', () => {
    // The Actor writes `<Type>: `; the miner's text (a key, a reason phrase) comes after it.
    const error = 'ValueError: Invalid env_id for MetaWorld container: x\nTraceback (most recent call last):\n  ...';
    assert.equal(episodeStage(actor(error)), 'unattributed');
  });

  test("affinetes' HTTP 500: an Actor method that raised or a result that did not serialize is unattributed; the Actor's failed start is the env's", () => {
    assert.ok(
      unattributedHttpFailure(
        500,
        'float division by zero\nTraceback (most recent call last):\n  File "/app/_affinetes/server.py", line 1, in call_method',
      ),
    );
    assert.ok(unattributedHttpFailure(500, 'Internal Server Error'));
    assert.ok(
      unattributedHttpFailure(500, 'Failed to initialize Actor: x\nTraceback (most recent call last):\n  ...'),
      'a method that raised with those words',
    );
    assert.ok(!unattributedHttpFailure(500, 'Failed to initialize Actor: MUJOCO_GL is not set'));
    assert.ok(!unattributedHttpFailure(404, 'Method not found: evaluate'));
    assert.ok(!unattributedHttpFailure(503, 'Service Unavailable'));
  });

  test('a miner that stops answering once the episode is under way is scored at once, whatever the image declares', () => {
    // An image built before the rule declared a mid-episode drop a measured non-answer (retried:
    // a replay of the same seed); steps taken say the episode was under way.
    const dropped = containerOutcome(
      result(
        { error: 'act http://m: connection failed: ECONNRESET' },
        { timesteps: 3, error_class: 'miner_unavailable', miner_had_task: true },
      ),
      1,
    );
    assert.deepEqual([dropped.errorClass, dropped.score], ['failure', 0]);
    // The Actors' prose of a failed step is scored at once too (a replay is never offered).
    for (const error of [
      'Miner action failed at step 4: RemoteProtocolError: Server disconnected',
      'Miner action failed at step 0: ReadError: ',
    ]) {
      assert.equal(containerOutcome(actor(error, { timesteps_completed: 4 }), 1).errorClass, 'failure', error);
    }
  });

  test('missing extra fields become nulls', () => {
    const outcome = containerOutcome(result({ success: true, score: 1 }, {}), 3);
    assert.equal(outcome.timesteps, null);
    assert.equal(outcome.reward, null);
  });
});

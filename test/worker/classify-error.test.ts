import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvironmentError } from '../../src/envs/environment-error.ts';
import { InvalidActionError } from '../../src/envs/invalid-action-error.ts';
import { CircuitOpenError } from '../../src/miners/circuit-open-error.ts';
import type { MinerErrorKind } from '../../src/miners/miner-request-error.ts';
import { MinerRequestError } from '../../src/miners/miner-request-error.ts';
import type { EpisodePhase } from '../../src/worker/classify-error.ts';
import { classifyError } from '../../src/worker/classify-error.ts';
import { EpisodeAbortedError } from '../../src/worker/episode-aborted-error.ts';
import { EpisodeTimeoutError } from '../../src/worker/episode-timeout-error.ts';
import { countsAgainstMiner, ERROR_CLASSES, isScored, nextStep } from '../../src/worker/error-class.ts';

const miner = (kind: MinerErrorKind, phase: 'reset' | 'act', status?: number) =>
  new MinerRequestError(kind, phase, 'http://m', kind, status === undefined ? {} : { status });

const cases: [string, unknown, EpisodePhase, string][] = [
  ['connect refused at reset', miner('connect', 'reset'), 'reset', 'miner_unavailable'],
  ['timeout at reset', miner('timeout', 'reset'), 'reset', 'miner_unavailable'],
  ['500 at reset', miner('http_status', 'reset', 500), 'reset', 'miner_unavailable'],
  ['429 at reset', miner('http_status', 'reset', 429), 'reset', 'miner_unavailable'],
  ['body too large at reset', miner('body_too_large', 'reset'), 'reset', 'miner_unavailable'],
  ['circuit open', new CircuitOpenError('http://m', 5), 'reset', 'miner_unavailable'],
  ['connect refused mid-episode', miner('connect', 'act'), 'act', 'miner_unavailable'],
  ['connection lost mid-episode', miner('network', 'act'), 'act', 'miner_unavailable'],
  ['action timeout', miner('timeout', 'act'), 'act', 'failure'],
  ['500 mid-episode', miner('http_status', 'act', 500), 'act', 'failure'],
  ['garbage mid-episode', miner('invalid_json', 'act'), 'act', 'failure'],
  ['oversized mid-episode', miner('body_too_large', 'act'), 'act', 'failure'],
  ['schema mismatch mid-episode', miner('schema_mismatch', 'act'), 'act', 'failure'],
  ['invalid action', new InvalidActionError('NaN'), 'env', 'failure'],
  ['simulator error', new EnvironmentError('diverged', 'mujoco/x'), 'env', 'env_error'],
  ['anything thrown by the env', new TypeError('boom'), 'env', 'env_error'],
  ['shutdown', new EpisodeAbortedError('SIGTERM'), 'act', 'worker_error'],
  ['client aborted by shutdown', miner('aborted', 'act'), 'act', 'worker_error'],
  ['episode budget, mostly miner', new EpisodeTimeoutError(1000, 0.9, 10), 'act', 'failure'],
  ['episode budget, mostly worker', new EpisodeTimeoutError(1000, 0.1, 10), 'act', 'worker_error'],
  ['episode budget during reset', new EpisodeTimeoutError(1000, 1, 0), 'reset', 'miner_unavailable'],
  ['a bug in the runner', new TypeError('x is undefined'), 'act', 'worker_error'],
];

void describe('classifyError', () => {
  for (const [name, error, phase, expected] of cases) {
    void test(`${name} → ${expected}`, () => {
      const { errorClass, message } = classifyError(error, phase);
      assert.equal(errorClass, expected);
      assert.ok(message.length > 0);
    });
  }
});

void describe('error classes', () => {
  void test('next steps follow DESIGN.md', () => {
    assert.deepEqual(
      Object.fromEntries(ERROR_CLASSES.map((c) => [c, [nextStep(c), isScored(c), countsAgainstMiner(c)]])),
      {
        success: ['record', true, false],
        failure: ['record', true, false],
        miner_unavailable: ['retry', false, true],
        env_error: ['retry', false, false],
        worker_error: ['release', false, false],
      },
    );
  });
});

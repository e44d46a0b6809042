import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { EnvironmentError, InvalidActionError } from '../../../src/envs/errors.ts';
import type { MinerErrorKind } from '../../../src/miners/errors.ts';
import { CircuitOpenError, MinerRequestError } from '../../../src/miners/errors.ts';
import type { EpisodePhase } from '../../../src/worker/episode/classify-error.ts';
import { classifyError } from '../../../src/worker/episode/classify-error.ts';
import { countsAgainstMiner, ERROR_CLASSES, isScored, nextStep } from '../../../src/worker/episode/error-class.ts';
import { EpisodeAbortedError, EpisodeTimeoutError } from '../../../src/worker/episode/errors.ts';

const miner = (kind: MinerErrorKind, phase: 'reset' | 'act', details: { status?: number; delivered?: boolean } = {}) =>
  new MinerRequestError(kind, phase, 'http://m', kind, details);
const sent = { delivered: true };

// name, error, phase, expected class, whether the miner had the task (measured non-answer).
// Before /reset was delivered the miner never had the task; after it, in every phase, it had.
const cases: [string, unknown, EpisodePhase, string, boolean][] = [
  ['connect refused at reset', miner('connect', 'reset'), 'reset', 'miner_unavailable', false],
  ['timeout at reset, never written (queued, TLS stalled)', miner('timeout', 'reset'), 'reset', 'miner_unavailable', false],
  ['connection reset at reset before anything was written', miner('network', 'reset'), 'reset', 'miner_unavailable', false],
  ['timeout at reset after the request was written', miner('timeout', 'reset', sent), 'reset', 'miner_unavailable', true],
  ['connection dropped at reset after the request was written', miner('network', 'reset', sent), 'reset', 'miner_unavailable', true],
  ['500 at reset', miner('http_status', 'reset', { status: 500 }), 'reset', 'miner_unavailable', true],
  ['429 at reset', miner('http_status', 'reset', { status: 429 }), 'reset', 'miner_unavailable', true],
  ['garbage at reset', miner('invalid_json', 'reset'), 'reset', 'miner_unavailable', true],
  ['body too large at reset', miner('body_too_large', 'reset'), 'reset', 'miner_unavailable', true],
  ['circuit open', new CircuitOpenError('http://m', 5), 'reset', 'miner_unavailable', false],
  // Once the miner answered /reset, any non-answer is a scored failure at once (non-answer.ts).
  ['connect refused mid-episode (the miner closed its connection and refuses the next)', miner('connect', 'act'), 'act', 'failure', true],
  ['connection lost mid-episode', miner('network', 'act', sent), 'act', 'failure', true],
  ['connection reset mid-episode before the request was written', miner('network', 'act'), 'act', 'failure', true],
  ['action timeout, never written (the miner never accepted the connection)', miner('timeout', 'act'), 'act', 'failure', true],
  ['timed out in our own connection pool mid-episode', miner('queued', 'act'), 'act', 'worker_error', true],
  ['timed out in our own connection pool at reset', miner('queued', 'reset'), 'reset', 'worker_error', false],
  ['action timeout', miner('timeout', 'act', sent), 'act', 'failure', true],
  ['500 mid-episode', miner('http_status', 'act', { status: 500 }), 'act', 'failure', true],
  ['garbage mid-episode', miner('invalid_json', 'act'), 'act', 'failure', true],
  ['oversized mid-episode', miner('body_too_large', 'act'), 'act', 'failure', true],
  ['schema mismatch mid-episode', miner('schema_mismatch', 'act'), 'act', 'failure', true],
  ['invalid action', new InvalidActionError('NaN'), 'env', 'failure', true],
  ['simulator error', new EnvironmentError('diverged', 'mujoco/x'), 'env', 'env_error', true],
  ['anything thrown by the env', new TypeError('boom'), 'env', 'env_error', true],
  ['shutdown', new EpisodeAbortedError('SIGTERM'), 'act', 'worker_error', true],
  ['client aborted by shutdown', miner('aborted', 'act'), 'act', 'worker_error', true],
  ['action timeout fired after the worker stalled', miner('worker_stalled', 'act', sent), 'act', 'worker_error', true],
  ['reset timeout fired after the worker stalled', miner('worker_stalled', 'reset', sent), 'reset', 'worker_error', true],
  ['episode budget, mostly miner', new EpisodeTimeoutError(1000, 0.9, 10), 'act', 'failure', true],
  ['episode budget, mostly worker', new EpisodeTimeoutError(1000, 0.1, 10), 'act', 'worker_error', true],
  ['episode budget fired after the worker stalled', new EpisodeTimeoutError(1000, 1, 10, true), 'act', 'worker_error', true],
  ['episode budget during reset', new EpisodeTimeoutError(1000, 1, 0), 'reset', 'miner_unavailable', false],
  ['a bug in the runner', new TypeError('x is undefined'), 'act', 'worker_error', true],
];

void describe('classifyError', () => {
  for (const [name, error, phase, expected, hadTask] of cases) {
    void test(`${name} → ${expected}${hadTask ? ', the miner had the task' : ''}`, () => {
      const classification = classifyError(error, phase, phase !== 'reset');
      assert.equal(classification.errorClass, expected);
      assert.equal(classification.minerHadTask, hadTask);
      assert.ok(classification.message.length > 0);
    });
  }
});

void describe('error classes', () => {
  void test('next steps follow docs/design.md', () => {
    assert.deepEqual(Object.fromEntries(ERROR_CLASSES.map((c) => [c, [nextStep(c), isScored(c), countsAgainstMiner(c)]])), {
      success: ['record', true, false],
      failure: ['record', true, false],
      miner_unavailable: ['retry', false, true],
      env_error: ['retry', false, false],
      worker_error: ['release', false, false],
    });
  });
});

void describe('circuit-open reason', () => {
  void test("says when the circuit closes in the CLI's one timestamp format (to the second, as tables show it)", () => {
    const error = new CircuitOpenError('http://m', Date.UTC(2026, 11, 7, 8, 22, 17, 100), 'POST /reset: HTTP 500');
    assert.equal(error.message, 'circuit of http://m is open until 2026-12-07 08:22:17Z; it opened on: POST /reset: HTTP 500');
  });
});

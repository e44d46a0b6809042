import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ErrorClass } from '../../../src/db/schema.ts';
import { taskRecord } from '../../../src/worker/consumer/task-record.ts';
import type { EvaluationOutcome } from '../../../src/worker/evaluation/evaluator.ts';
import { makeTask } from '../../helpers/task-jobs.ts';

function recordOf(errorClass: ErrorClass, extra: Partial<EvaluationOutcome> = {}) {
  const outcome: EvaluationOutcome = {
    errorClass,
    success: errorClass === 'success',
    score: errorClass === 'success' ? 1 : 0,
    reward: null,
    timesteps: null,
    durationMs: 5,
    ...extra,
  };
  return taskRecord(makeTask(), { attempt: 1, workerId: 'w', finishedAt: Date.now(), outcome });
}

describe('taskRecord: the attempt row says why it ended', () => {
  test('a played episode that did not solve the task: what it scored, in the attempt (the result keeps its numbers)', () => {
    const record = recordOf('failure', { score: 0.25, reward: -12.3456, timesteps: 200 });
    assert.equal(record.attempt.error_message, 'episode played, task not solved: score 0.250, reward -12.346, 200 timesteps');
    assert.equal(record.result?.error_message, null);
    assert.equal(recordOf('failure').attempt.error_message, 'episode played, task not solved: score 0.000');
  });

  test("a failure with the env's or the miner's own reason keeps it; success and unscored classes are untouched", () => {
    assert.equal(recordOf('failure', { message: 'action timed out at step 12' }).attempt.error_message, 'action timed out at step 12');
    assert.equal(recordOf('success', { reward: 3, timesteps: 40 }).attempt.error_message, null);
    assert.equal(recordOf('env_error').attempt.error_message, null);
    assert.equal(recordOf('miner_unavailable', { message: 'refused' }).attempt.error_message, 'refused');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import {
  CallFailedSchema,
  CallResponseSchema,
  EvaluateCallKwargsSchema,
  EvaluateKwargsSchema,
  evaluateCall,
} from '../../../src/envs/container/contract.ts';
import { demultiplex } from '../../../src/envs/container/docker-engine.ts';
import { describeIssues } from '../../../src/runtime/describe-issues.ts';

const kwargs = {
  task_id: 7,
  base_url: 'http://127.0.0.1:8080',
  env_id: 'container/reach-v1',
  max_timesteps: 200,
  action_timeout: 0.5,
  use_images: false,
  timeout: 110,
  episode_id: '0b5e3f4c-2f1a-4c8e-9d3a-6a1f2b3c4d5e',
};

describe('the container contract', () => {
  test('an evaluate call is method, empty args and the kwargs', () => {
    assert.deepEqual(evaluateCall(kwargs), { method: 'evaluate', args: [], kwargs });
    assert.ok(v.is(EvaluateKwargsSchema, kwargs));
  });

  test("an image takes the subnet executor's call: only task_id and base_url required, the Actors' defaults, seed and model accepted", () => {
    // As kinitro's executor calls it through affinetes: no `timeout` (it is the client's `_timeout`).
    const executor = {
      task_id: 3,
      model: 'miner-12',
      base_url: 'http://10.0.0.5:8000',
      env_id: 'metaworld/reach-v3',
      max_timesteps: 150,
      action_timeout: 0.5,
      use_images: true,
    };
    const parsed = v.parse(EvaluateCallKwargsSchema, executor);
    assert.equal(parsed.timeout, 300);
    assert.equal(parsed.model, 'miner-12');
    assert.deepEqual(v.parse(EvaluateCallKwargsSchema, { task_id: 1, base_url: 'http://m:1', seed: 9 }), {
      task_id: 1,
      base_url: 'http://m:1',
      seed: 9,
      max_timesteps: 500,
      action_timeout: 0.5,
      use_images: true,
      timeout: 300,
    });
    const missing = v.safeParse(EvaluateCallKwargsSchema, { env_id: 'metaworld/reach-v3' });
    assert.equal(missing.success, false);
    assert.match(describeIssues(missing.issues), /task_id: .*; base_url: /);
    assert.ok(v.is(EvaluateCallKwargsSchema, kwargs), 'what evalpool sends');
  });

  test('affinetes\' status "failed" form is recognised, with its error', () => {
    assert.ok(v.is(CallFailedSchema, { status: 'failed', result: { error: 'Task execution exceeded timeout of 300s (+10s grace)' } }));
    assert.ok(v.is(CallFailedSchema, { status: 'failed', error: 'x' }));
    assert.ok(!v.is(CallFailedSchema, { status: 'success', result: {} }));
  });

  test('bad kwargs are named', () => {
    const parsed = v.safeParse(EvaluateKwargsSchema, { ...kwargs, task_id: -1, base_url: 'nope', timeout: 0 });
    assert.equal(parsed.success, false);
    const text = describeIssues(parsed.issues);
    assert.match(text, /task_id: must be at least 0/);
    assert.match(text, /base_url: must be a URL/);
    assert.match(text, /timeout: must be more than 0 seconds/);
  });

  test('answers: the documented shape passes, extra keys are dropped, junk is refused', () => {
    const ok = v.parse(CallResponseSchema, {
      status: 'success',
      result: { success: true, score: 1, extra: { timesteps: 3, total_reward: 1.5, other: 1 }, error: null },
      more: 1,
    });
    assert.deepEqual(ok.result.extra, { timesteps: 3, total_reward: 1.5 });
    // affinetes LLM envs have no steps: extra may be missing.
    assert.deepEqual(v.parse(CallResponseSchema, { status: 'success', result: { success: false, score: 0 } }).result.extra, {});
    for (const bad of [
      { status: 'error', result: { success: true, score: 1 } },
      { status: 'success' },
      { status: 'success', result: { success: 'yes', score: 1 } },
      { status: 'success', result: { success: false, score: 0, extra: { error_class: 'worker_error' } } },
    ]) {
      assert.equal(v.is(CallResponseSchema, bad), false, JSON.stringify(bad));
    }
  });

  test('container logs: Docker stream frames are joined; unframed output is kept as it is', () => {
    const frame = (stream: number, text: string): Buffer => {
      const payload = Buffer.from(text);
      const header = Buffer.alloc(8);
      header[0] = stream;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    assert.equal(demultiplex(Buffer.concat([frame(1, 'out line\n'), frame(2, 'err line\n')])), 'out line\nerr line\n');
    assert.equal(demultiplex(Buffer.from('plain text output\n')), 'plain text output\n');
    assert.equal(demultiplex(Buffer.alloc(0)), '');
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ActionSpec } from '../../src/envs/action-spec.ts';
import { boxSpec } from '../../src/envs/action-spec.ts';
import { BuiltinRegistry } from '../../src/envs/builtin-registry.ts';
import type { Environment, StepResult } from '../../src/envs/environment.ts';
import { EnvironmentError } from '../../src/envs/environment-error.ts';
import { MujocoLoader } from '../../src/envs/mujoco/mujoco-loader.ts';
import { CircuitBreaker } from '../../src/miners/circuit-breaker.ts';
import type { Observation } from '../../src/miners/contract.ts';
import { proprioObservation } from '../../src/miners/contract.ts';
import type { DemoMiner } from '../../src/miners/demo/demo-miner.ts';
import { startDemoMiner } from '../../src/miners/demo/demo-miner.ts';
import { InProcessMiner } from '../../src/miners/demo/in-process-miner.ts';
import type { MisbehaviourInput } from '../../src/miners/demo/misbehaviour.ts';
import { MinerClient } from '../../src/miners/miner-client.ts';
import { nextStep } from '../../src/worker/error-class.ts';
import type { ErrorClass, NextStep } from '../../src/worker/error-class.ts';
import type { EpisodeOutcome, RunEpisodeOptions } from '../../src/worker/run-episode.ts';
import { runEpisode, taskConfigFor } from '../../src/worker/run-episode.ts';
import { refusedPort, startTestServer } from '../miners/test-server.ts';

const REACH = 'mujoco/reach-v1';
const registry = new BuiltinRegistry(new MujocoLoader());
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const close of cleanup.reverse()) await close();
});

let env: Environment;
let miner: DemoMiner;
let client: MinerClient;
before(async () => {
  env = await registry.create(REACH);
  miner = await startDemoMiner({ policy: 'expert' });
  client = new MinerClient({ endpoint: miner.url });
  cleanup.push(() => env.close(), () => miner.close(), () => client.close());
});

function run(options: Partial<RunEpisodeOptions> = {}): Promise<EpisodeOutcome> {
  return runEpisode({ env, client, task: { envId: REACH, taskId: 3, episodeId: 'episode-3' }, timeouts: { resetMs: 300, actionMs: 150 }, ...options });
}

function expectClass(outcome: EpisodeOutcome, errorClass: ErrorClass, step: NextStep, message?: RegExp): void {
  assert.equal(outcome.errorClass, errorClass, `${outcome.errorClass}: ${outcome.message}`);
  assert.equal(nextStep(outcome.errorClass), step);
  assert.equal(outcome.score, errorClass === 'success' ? 1 : 0);
  assert.equal(outcome.success, errorClass === 'success');
  if (message !== undefined) assert.match(outcome.message ?? '', message);
}

void describe('runEpisode against the expert demo miner over HTTP', () => {
  void test('solves the task and matches the in-process policy exactly, on every env', async () => {
    for (const envId of registry.ids()) {
      const instance = await registry.create(envId);
      try {
        for (const taskId of [0, 1, 2]) {
          const overHttp = await runEpisode({ env: instance, client, task: { envId, taskId, episodeId: `e-${taskId}` } });
          const inProcess = await runEpisode({ env: instance, client: new InProcessMiner('expert'), task: { envId, taskId, episodeId: `e-${taskId}` } });
          expectClass(overHttp, 'success', 'record');
          assert.equal(overHttp.message, null);
          assert.equal(overHttp.timesteps, inProcess.timesteps);
          assert.ok(Object.is(overHttp.totalReward, inProcess.totalReward));
          assert.equal(overHttp.actionLatenciesMs.length, overHttp.timesteps);
        }
      } finally {
        instance.close();
      }
    }
  });

  void test('the task config names env, task and seed', () => {
    assert.deepEqual(taskConfigFor({ envId: REACH, taskId: 42, episodeId: 'e' }), { env_id: REACH, env_name: 'mujoco', task_name: 'reach-v1', seed: 42, task_id: 42 });
  });

  void test('stops at maxTimesteps as a failure', async () => {
    const outcome = await run({ client: new InProcessMiner('random'), maxTimesteps: 7 });
    expectClass(outcome, 'failure', 'record');
    assert.equal(outcome.timesteps, 7);
    assert.equal(outcome.message, null);
  });
});

void describe('misbehaving miners land in the right class', () => {
  const cases: [string, MisbehaviourInput, ErrorClass, NextStep, RegExp][] = [
    ['hang on /reset', { mode: 'hang', on: 'reset' }, 'miner_unavailable', 'retry', /no complete response within 300 ms/],
    ['500 on /reset', { mode: 'error500', on: 'reset' }, 'miner_unavailable', 'retry', /HTTP 500/],
    ['429 on /reset', { mode: 'error429', on: 'reset' }, 'miner_unavailable', 'retry', /HTTP 429/],
    ['hang on /act', { mode: 'hang', on: 'act' }, 'failure', 'record', /no complete response within 150 ms/],
    ['slower than the action timeout', { mode: 'slow', on: 'act', delayMs: 400 }, 'failure', 'record', /within 150 ms/],
    ['garbage JSON', { mode: 'garbage', on: 'act' }, 'failure', 'record', /not JSON/],
    ['a body over the limit', { mode: 'huge', on: 'act' }, 'failure', 'record', /over the \d+-byte limit/],
    ['NaN actions', { mode: 'nan', on: 'act' }, 'failure', 'record', /NaN/],
    ['wrong-length actions', { mode: 'wrong-length', on: 'act' }, 'failure', 'record', /has length 3, expected 2/],
    ['500 mid-episode', { mode: 'error500', on: 'act' }, 'failure', 'record', /HTTP 500/],
  ];
  for (const [name, misbehaviour, errorClass, step, message] of cases) {
    void test(`${name} → ${errorClass}`, async () => {
      miner.setMisbehaviour(misbehaviour);
      try {
        const outcome = await run();
        expectClass(outcome, errorClass, step, message);
        assert.equal(outcome.timesteps, 0);
      } finally {
        miner.setMisbehaviour({ mode: 'none' });
      }
    });
  }

  void test('a slow /reset within its timeout is fine', async () => {
    miner.setMisbehaviour({ mode: 'slow', on: 'reset', delayMs: 50 });
    try {
      expectClass(await run(), 'success', 'record');
    } finally {
      miner.setMisbehaviour({ mode: 'none' });
    }
  });

  void test('connection refused → miner_unavailable', async () => {
    const refused = new MinerClient({ endpoint: `http://127.0.0.1:${await refusedPort()}` });
    cleanup.push(() => refused.close());
    expectClass(await run({ client: refused }), 'miner_unavailable', 'retry', /refused/);
  });

  void test('the connection dropped mid-episode → miner_unavailable', async () => {
    const server = await startTestServer((request, response) => {
      if (request.url === '/reset') response.end('{}');
      else request.socket.destroy();
    });
    const dropping = new MinerClient({ endpoint: server.url });
    cleanup.push(() => server.close(), () => dropping.close());
    expectClass(await run({ client: dropping }), 'miner_unavailable', 'retry', /connection failed/);
  });
});

/** An env whose step throws, to stand for a simulator failure. */
function brokenEnv(failOn: 'reset' | 'step'): Environment {
  const spec: ActionSpec = { continuous: { joint_torque: boxSpec(2, -1, 1, 'x') }, discrete: {} };
  const observation: Observation = proprioObservation({ joint_pos: [0, 0], joint_vel: [0, 0], tip_pos: [0.2, 0], target_pos: [0, 0.2] });
  return {
    id: REACH,
    family: 'mujoco',
    maxTimesteps: 10,
    actionSpec: spec,
    reset: () => (failOn === 'reset' ? Promise.reject(new EnvironmentError('model refused', REACH)) : Promise.resolve(observation)),
    step: (): Promise<StepResult> => Promise.reject(new EnvironmentError('diverged', REACH)),
    close: () => {},
  };
}

void describe('environment, worker and breaker', () => {
  void test('a simulator failure → env_error, and it says nothing about the miner', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    expectClass(await run({ env: brokenEnv('step'), breaker }), 'env_error', 'retry', /diverged/);
    expectClass(await run({ env: brokenEnv('reset'), breaker }), 'env_error', 'retry', /model refused/);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.snapshot().consecutiveFailures, 0);
  });

  void test('shutdown mid-episode → worker_error, promptly', async () => {
    miner.setMisbehaviour({ mode: 'hang', on: 'act' });
    try {
      const controller = new AbortController();
      const pending = run({ signal: controller.signal, timeouts: { actionMs: 60_000 } });
      setTimeout(() => controller.abort(new Error('SIGTERM')), 50);
      expectClass(await pending, 'worker_error', 'release', /aborted: SIGTERM/);
    } finally {
      miner.setMisbehaviour({ mode: 'none' });
    }
  });

  void test('an already aborted signal → worker_error without calling the miner', async () => {
    const before = { ...miner.counts };
    expectClass(await run({ signal: AbortSignal.abort() }), 'worker_error', 'release');
    assert.deepEqual(miner.counts, before);
  });

  void test('the whole-episode budget: a miner slow on every step → failure', async () => {
    miner.setMisbehaviour({ mode: 'slow', on: 'act', delayMs: 40 });
    try {
      const outcome = await run({ timeouts: { actionMs: 1_000, episodeMs: 200 } });
      expectClass(outcome, 'failure', 'record', /exceeded its 200 ms budget/);
      assert.ok(outcome.timesteps >= 1);
    } finally {
      miner.setMisbehaviour({ mode: 'none' });
    }
  });

  void test('an open circuit → miner_unavailable without calling; a success closes it again', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 2, baseCooldownMs: 1_000, now: () => now });
    miner.setMisbehaviour({ mode: 'error500', on: 'reset' });
    expectClass(await run({ breaker }), 'miner_unavailable', 'retry');
    expectClass(await run({ breaker }), 'miner_unavailable', 'retry');
    assert.equal(breaker.state, 'open');
    miner.setMisbehaviour({ mode: 'none' });
    const calls = miner.counts.reset;
    expectClass(await run({ breaker, endpoint: miner.url }), 'miner_unavailable', 'retry', /circuit of http:\/\/127\.0\.0\.1:\d+ is open/);
    assert.equal(miner.counts.reset, calls, 'the miner was not called');
    now = 1_000;
    expectClass(await run({ breaker }), 'success', 'record');
    assert.equal(breaker.state, 'closed');
  });

  void test('a scored failure counts as the miner answering', async () => {
    const breaker = new CircuitBreaker({ failureThreshold: 1 });
    miner.setMisbehaviour({ mode: 'garbage', on: 'act' });
    try {
      expectClass(await run({ breaker }), 'failure', 'record');
    } finally {
      miner.setMisbehaviour({ mode: 'none' });
    }
    assert.equal(breaker.state, 'closed');
  });

  void test('an env for another task is a worker bug', async () => {
    expectClass(await run({ task: { envId: 'mujoco/push-v1', taskId: 1, episodeId: 'e' } }), 'worker_error', 'release', /given for a task of/);
  });
});

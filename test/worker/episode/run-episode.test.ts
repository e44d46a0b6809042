import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { DemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { InProcessMiner } from '../../../src/demo/miners/in-process-miner.ts';
import { declines, type MisbehaviourInput, parseMisbehaviour } from '../../../src/demo/miners/misbehaviour.ts';
import type { ActionSpec } from '../../../src/envs/action-spec.ts';
import { boxSpec } from '../../../src/envs/action-spec.ts';
import { BuiltinRegistry } from '../../../src/envs/builtin-registry.ts';
import type { Environment, StepResult } from '../../../src/envs/environment.ts';
import { EnvironmentError } from '../../../src/envs/errors.ts';
import { MujocoLoader } from '../../../src/envs/mujoco/mujoco-loader.ts';
import type { Observation } from '../../../src/envs/policy-contract.ts';
import { proprioObservation } from '../../../src/envs/policy-contract.ts';
import { CircuitBreaker } from '../../../src/miners/circuit-breaker.ts';
import type { MinerApi } from '../../../src/miners/miner-api.ts';
import { MinerClient } from '../../../src/miners/miner-client.ts';
import type { ErrorClass, NextStep } from '../../../src/worker/episode/error-class.ts';
import { nextStep } from '../../../src/worker/episode/error-class.ts';
import type { EpisodeOutcome, RunEpisodeOptions } from '../../../src/worker/episode/run-episode.ts';
import { runEpisode, taskConfigFor } from '../../../src/worker/episode/run-episode.ts';
import { gate, waitFor } from '../../helpers/wait-for.ts';
import { refusedPort, startTestServer } from '../../miners/test-server.ts';

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
  cleanup.push(
    () => env.close(),
    () => miner.close(),
    () => client.close(),
  );
});

/**
 * Limits of a call that must succeed: room for a loaded machine (a healthy loopback answer can
 * take seconds there). The cases about timeouts set their own short limit on the call that
 * misbehaves (a hang never answers, a slow miner waits longer than the limit), so that their
 * outcome does not depend on how fast the machine is.
 */
const ROOMY_MS = 20_000;

function run(options: Partial<RunEpisodeOptions> = {}): Promise<EpisodeOutcome> {
  return runEpisode({
    env,
    client,
    task: { envId: REACH, taskId: 3, episodeId: 'episode-3' },
    ...options,
    timeouts: { resetMs: ROOMY_MS, actionMs: ROOMY_MS, ...options.timeouts },
  });
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
          const inProcess = await runEpisode({
            env: instance,
            client: new InProcessMiner('expert'),
            task: { envId, taskId, episodeId: `e-${taskId}` },
          });
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
    assert.deepEqual(taskConfigFor({ envId: REACH, taskId: 42, episodeId: 'e' }), {
      env_id: REACH,
      env_name: 'mujoco',
      task_name: 'reach-v1',
      seed: 42,
      task_id: 42,
    });
  });

  void test('stops at maxTimesteps as a failure', async () => {
    const outcome = await run({ client: new InProcessMiner('random'), maxTimesteps: 7 });
    expectClass(outcome, 'failure', 'record');
    assert.equal(outcome.timesteps, 7);
    assert.equal(outcome.message, null);
  });
});

void describe('misbehaving miners land in the right class', () => {
  const cases: [string, MisbehaviourInput, ErrorClass, NextStep, RegExp, RunEpisodeOptions['timeouts']?][] = [
    ['hang on /reset', { mode: 'hang', on: 'reset' }, 'miner_unavailable', 'retry', /no complete response within 300 ms/, { resetMs: 300 }],
    ['500 on /reset', { mode: 'error500', on: 'reset' }, 'miner_unavailable', 'retry', /HTTP 500/],
    ['429 on /reset', { mode: 'error429', on: 'reset' }, 'miner_unavailable', 'retry', /HTTP 429/],
    ['hang on /act', { mode: 'hang', on: 'act' }, 'failure', 'record', /no complete response within 150 ms/, { actionMs: 150 }],
    ['slower than the action timeout', { mode: 'slow', on: 'act', delayMs: 400 }, 'failure', 'record', /within 150 ms/, { actionMs: 150 }],
    ['garbage JSON', { mode: 'garbage', on: 'act' }, 'failure', 'record', /not JSON/],
    ['a body over the limit', { mode: 'huge', on: 'act' }, 'failure', 'record', /over the \d+-byte limit/],
    ['NaN actions', { mode: 'nan', on: 'act' }, 'failure', 'record', /NaN/],
    ['wrong-length actions', { mode: 'wrong-length', on: 'act' }, 'failure', 'record', /has length 3, expected 2/],
    ['500 mid-episode', { mode: 'error500', on: 'act' }, 'failure', 'record', /HTTP 500/],
  ];
  for (const [name, misbehaviour, errorClass, step, message, timeouts] of cases) {
    void test(`${name} → ${errorClass}`, async () => {
      miner.setMisbehaviour(misbehaviour);
      try {
        const outcome = await run(timeouts ? { timeouts } : {});
        expectClass(outcome, errorClass, step, message);
        assert.equal(outcome.timesteps, 0);
        // Every one of these miners received the task: a retried one is a measured non-answer.
        assert.equal(outcome.minerHadTask, true);
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
    const outcome = await run({ client: refused });
    expectClass(outcome, 'miner_unavailable', 'retry', /refused/);
    assert.equal(outcome.minerHadTask, false);
  });

  void test('the connection dropped mid-episode → a scored failure at once (no replay of the seed)', async () => {
    const server = await startTestServer((request, response) => {
      if (request.url === '/reset') response.end('{}');
      else request.socket.destroy();
    });
    const dropping = new MinerClient({ endpoint: server.url });
    cleanup.push(
      () => server.close(),
      () => dropping.close(),
    );
    const outcome = await run({ client: dropping });
    expectClass(outcome, 'failure', 'record', /connection failed/);
    assert.equal(outcome.minerHadTask, true);
  });

  void test('a miner that answers with Connection: close, then refuses the next connection mid-episode → a scored failure', async () => {
    // It forces a new connection for every /act, so that it can turn one away unwritten.
    let acts = 0;
    const server = await startTestServer((request, response) => {
      response.setHeader('connection', 'close');
      response.setHeader('content-type', 'application/json');
      if (request.url === '/reset') return response.end('{}');
      // After its 2nd answer has gone out, it stops listening: the next connection is refused.
      if (++acts === 2) response.on('finish', () => void server.close());
      response.end(JSON.stringify({ action: { continuous: { joint_torque: [0, 0] } } }));
    });
    const picky = new MinerClient({ endpoint: server.url });
    cleanup.push(() => picky.close());
    const outcome = await run({ client: picky });
    expectClass(outcome, 'failure', 'record', /refused/);
    assert.equal(outcome.timesteps, 2);
  });
});

void describe('a selective miner (declines a seeded fraction of the tasks it received)', () => {
  // fraction 1: every task is declined, so the seeded choice is not what is tested here.
  for (const [name, input, message, steps] of [
    ['500 at /reset', { mode: 'selective', fraction: 1, decline: 'error500' }, /reset .*HTTP 500/, 0],
    ['drop at the 3rd /act', { mode: 'selective', fraction: 1, decline: 'drop', dropAtAct: 3 }, /act .*connection failed/, 2],
  ] as const) {
    void test(`${name}: ${steps === 0 ? 'a measured non-answer (retried, then scored)' : 'a scored failure at once'}, never "never delivered"`, async () => {
      miner.setMisbehaviour(input);
      try {
        // Generous timeouts: the miner replays the episode on its own simulator in this same
        // process (loading MuJoCo the first time), which stalls this loop too.
        const outcome = await run({ timeouts: { resetMs: 10_000, actionMs: 5_000 } });
        // Declining at /reset is retried; once the episode is under way, a drop is scored now.
        if (steps === 0) expectClass(outcome, 'miner_unavailable', 'retry', message);
        else expectClass(outcome, 'failure', 'record', message);
        assert.equal(outcome.minerHadTask, true);
        assert.equal(outcome.timesteps, steps);
      } finally {
        miner.setMisbehaviour({ mode: 'none' });
      }
    });
  }

  void test('the choice is seeded by the task id: the same on every retry, about the fraction over many ids', () => {
    const m = parseMisbehaviour({ mode: 'selective', fraction: 0.15, salt: 7 });
    const chosen = Array.from({ length: 10_000 }, (_, id) => declines(m, id));
    assert.deepEqual(
      chosen,
      Array.from({ length: 10_000 }, (_, id) => declines(m, id)),
    );
    const share = chosen.filter(Boolean).length / chosen.length;
    assert.ok(Math.abs(share - 0.15) < 0.02, `declined ${share}`);
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
    // 300 ms per action: the expert's 23 steps need ~7 s, over the 3 s budget whatever the
    // machine's speed; the budget leaves the reset and the first step seconds of room.
    miner.setMisbehaviour({ mode: 'slow', on: 'act', delayMs: 300 });
    try {
      const outcome = await run({ timeouts: { episodeMs: 3_000 } });
      expectClass(outcome, 'failure', 'record', /exceeded its 3000 ms budget/);
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
    // The refusal says what opened the circuit (the miner's 500), not only that it is open.
    expectClass(
      await run({ breaker, endpoint: miner.url }),
      'miner_unavailable',
      'retry',
      /circuit of http:\/\/127\.0\.0\.1:\d+ is open until \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ; it opened on: .*500/,
    );
    assert.equal(miner.counts.reset, calls, 'the miner was not called');
    now = 1_000;
    expectClass(await run({ breaker }), 'success', 'record');
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.lastFailure, null);
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
    expectClass(
      await run({ task: { envId: 'mujoco/push-v1', taskId: 1, episodeId: 'e' } }),
      'worker_error',
      'release',
      /given for a task of/,
    );
  });
});

void describe("a request that waited in this worker's own connection pool", () => {
  // One connection to the miner, two episodes of it at once: the one that holds the connection
  // (its miner is late) is the miner's; the other one's /act waits in our pool, never written.
  void test('times out as ours (worker_error, released), never a scored failure; the late one is scored', async () => {
    const hanging: ServerResponse[] = [];
    const server = await startTestServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/reset') return response.end('{}');
      // Late on episode "holder" (it keeps the only connection), prompt on every other.
      if (request.headers['x-episode-id'] === 'holder') return void hanging.push(response);
      response.end(JSON.stringify({ action: { continuous: { joint_torque: [0, 0] } } }));
    });
    const single = new MinerClient({ endpoint: server.url, maxConnections: 1 });
    cleanup.push(
      () => single.close(),
      () => server.close(),
    );
    const other = await registry.create(REACH);
    cleanup.push(() => other.close());
    // The prompt episode has its /reset answered, then asks for its first action only once the
    // holder's /act holds the connection.
    const holding = gate();
    const afterReset: MinerApi = {
      reset: (...args) => single.reset(...args),
      act: async (...args) => (await holding.promise, single.act(...args)),
    };
    const queued = run({
      env: other,
      client: afterReset,
      task: { envId: REACH, taskId: 6, episodeId: 'queued' },
      timeouts: { actionMs: 300 },
    });
    await waitFor('the prompt episode to be reset', () => server.requests.length === 1);
    const holder = run({ client: single, task: { envId: REACH, taskId: 5, episodeId: 'holder' }, timeouts: { actionMs: 4_000 } });
    await waitFor("the holder's /act to hold the connection", () => hanging.length === 1);
    holding.open();
    expectClass(await queued, 'worker_error', 'release', /waited for one of this worker's 1 connections/);
    expectClass(await holder, 'failure', 'record', /no complete response within 4000 ms/);
    // The prompt episode's /act never reached the miner: only the holder's did.
    assert.deepEqual(
      server.requests.filter((r) => r.url === '/act').map((r) => r.headers['x-episode-id']),
      ['holder'],
    );
  });

  void test('a late miner with connections to spare is not excused as "queued"', async () => {
    const server = await startTestServer((request, response) => {
      if (request.url === '/reset') response.end('{}');
    });
    const spare = new MinerClient({ endpoint: server.url, maxConnections: 1 });
    cleanup.push(
      () => spare.close(),
      () => server.close(),
    );
    expectClass(await run({ client: spare, timeouts: { actionMs: 200 } }), 'failure', 'record', /no complete response within 200 ms/);
  });
});

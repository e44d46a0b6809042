// The worker with the real MuJoCo evaluator, end to end: tasks added to BullMQ with the
// scheduler's job options, a real TaskWorker (or `evalpool worker` process), demo miners over
// HTTP, rows in Postgres and circuit keys in Redis.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_OUTCOME_MESSAGE_CHARS } from '../../../src/config/constants.ts';
import type { Config } from '../../../src/config/schema.ts';
import type { DemoMiner, DemoMinerOptions } from '../../../src/demo/miners/demo-miner.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { readOpenCircuits } from '../../../src/pool/circuit-keys.ts';
import { type BuiltInEvaluators, builtInEvaluators, registryEvaluator } from '../../../src/worker/evaluation/evaluators.ts';
import { type CliProcess, spawnCli } from '../../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { startTestServer, type TestServer } from '../../miners/test-server.ts';
import { attemptRows, resultRows, startWorker } from '../harness.ts';

const REACH = 'mujoco/reach-v1';
const database = useTestDatabase();
const redis = useTestRedis();
/** The settings of every worker of this file (the in-process ones take their database directly). */
const settings = (): Record<string, string> => ({
  EVALPOOL_QUEUE_PREFIX: redis.prefix,
  EVALPOOL_LOCK_DURATION_MS: '1000',
  EVALPOOL_STALLED_INTERVAL_MS: '500',
  EVALPOOL_RESULT_FLUSH_MS: '5',
  EVALPOOL_TASK_ATTEMPTS: '3',
  EVALPOOL_TASK_BACKOFF_MS: '20',
  EVALPOOL_CIRCUIT_FAILURE_THRESHOLD: '3',
  EVALPOOL_CIRCUIT_COOLDOWN_MS: '600000',
});
let config: Config;
let queues: TestQueues;
const closers: (() => Promise<unknown>)[] = [];

before(() => {
  config = testConfig(settings());
  queues = TestQueues.open(config);
});

after(async () => {
  for (const close of closers.reverse()) await close();
  await queues.close();
});

async function miner(options: DemoMinerOptions): Promise<DemoMiner> {
  const started = await startDemoMiner(options);
  closers.push(() => started.close());
  return started;
}

/** A task worker on the reach queue with the built-in evaluators; `stop()` stops it, then its evaluators. */
async function mujocoWorker(workerId: string): Promise<{ stop(): Promise<void> }> {
  // A long lock: a loaded machine can stall this process past a second, and a lost lock would
  // (rightly) stop and re-run an episode, which these tests do not look at; the worker processes
  // of the crash tests keep the short lock so that their orphans come back quickly.
  const inProcess = testConfig({ ...settings(), EVALPOOL_LOCK_DURATION_MS: '60000' });
  const evaluators: BuiltInEvaluators = builtInEvaluators(inProcess, testLogger());
  const worker = await startWorker(inProcess, database.db, registryEvaluator(evaluators.registry).evaluator, {
    envs: [REACH],
    concurrency: 4,
    workerId,
  });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= worker.stop().then(() => evaluators.stop()));
  closers.push(stop);
  return { stop };
}

const results = (hotkey: string) => resultRows(database.db, hotkey);
const attempts = (hotkey: string) => attemptRows(database.db, hotkey);

// Shared by the tests of the in-process worker; started by the first that needs it.
let shared: ReturnType<typeof mujocoWorker> | undefined;
const sharedWorker = (): ReturnType<typeof mujocoWorker> => (shared ??= mujocoWorker('mujoco-worker'));

describe('a task worker with the MuJoCo evaluator', () => {
  after(async () => (await shared)?.stop());

  test('expert and random demo miners on reach: one result row per task, the expert far above random', async () => {
    await sharedWorker();
    const expert = await miner({ policy: 'expert' });
    const random = await miner({ policy: 'random' });
    const seeds = Array.from({ length: 20 }, (_, i) => 1_000 + i);
    for (const task_id of seeds) {
      await queues.add(makeTask({ env: REACH, task_id, hotkey: '5Expert', endpoint: expert.url }));
      await queues.add(makeTask({ env: REACH, task_id, hotkey: '5Random', endpoint: random.url }));
    }
    await waitFor('40 result rows', async () => (await results('5Expert')).length + (await results('5Random')).length === 40, 120_000);

    const expertRows = await results('5Expert');
    const randomRows = await results('5Random');
    assert.deepEqual(
      expertRows.map((r) => r.task_id),
      seeds,
    );
    assert.deepEqual(
      randomRows.map((r) => r.task_id),
      seeds,
    );
    const successes = (rows: typeof expertRows): number => rows.filter((r) => r.success).length;
    assert.ok(successes(expertRows) >= 16, `expert solved ${successes(expertRows)}/20`);
    assert.ok(successes(randomRows) <= 4, `random solved ${successes(randomRows)}/20`);
    for (const row of [...expertRows, ...randomRows]) {
      assert.equal(row.error_class, row.success ? 'success' : 'failure');
      assert.equal(row.score, row.success ? 1 : 0);
      assert.equal(row.worker_id, 'mujoco-worker');
      assert.ok(row.timesteps !== null && row.timesteps > 0 && row.timesteps <= 200);
      assert.ok(row.reward !== null && Number.isFinite(row.reward));
      assert.ok(row.latency_ms !== null && row.latency_ms > 0);
    }
    // A random policy never ends early: it uses every step of the episode.
    assert.ok(randomRows.filter((r) => !r.success).every((r) => r.timesteps === 200));
    assert.equal(expert.counts.reset, 20);
  });

  test('500 on /reset: the miner had the task, so it is retried, then a scored failure (never paused); the circuit opens and its key appears in Redis', async () => {
    await sharedWorker();
    const broken = await miner({ policy: 'expert', misbehaviour: { mode: 'error500', on: 'reset' } });
    const first = makeTask({ env: REACH, task_id: 7, hotkey: '5Broken', endpoint: broken.url });
    await queues.add(first);
    // Once the miner has the task, the episode is measured: the attempts run out into a result row.
    await waitFor('the declined task to be a scored failure', async () => (await results('5Broken')).length === 1);
    assert.deepEqual(
      (await attempts('5Broken')).map((a) => [a.attempt, a.error_class]),
      [
        [1, 'miner_unavailable'],
        [2, 'miner_unavailable'],
        [3, 'failure'],
      ],
    );
    assert.match((await attempts('5Broken'))[0]!.error_message ?? '', /HTTP 500/);
    const [declined] = await results('5Broken');
    assert.deepEqual([declined?.success, declined?.score], [false, 0]);
    assert.match(declined?.error_message ?? '', /^scored as a failure: the miner received this task/);

    // The third consecutive failure opened the circuit (threshold 3): the key is there for the scheduler.
    const open = await readOpenCircuits(redis.redis, redis.prefix, ['5Broken', '5Expert']);
    assert.deepEqual([...open.keys()], ['5Broken']);
    assert.ok(open.get('5Broken')! > Date.now() + 500_000);

    // While open, the miner's next task fails fast without a request reaching it.
    const resets = broken.counts.reset;
    const second = makeTask({ env: REACH, task_id: 8, hotkey: '5Broken', endpoint: broken.url });
    await queues.add(second);
    await waitFor('the second task to be paused', async () => (await queues.state(second)) === 'failed');
    assert.equal(broken.counts.reset, resets);
    const refused = (await attempts('5Broken')).filter((a) => a.task_id === 8);
    assert.equal(refused.length, 3);
    assert.ok(refused.every((a) => a.error_class === 'miner_unavailable' && /circuit .* is open/.test(a.error_message ?? '')));
  });

  test('best of N by dropping mid-episode: a miner that drops the connection at its 3rd /act gets one scored failure, never a replay of the seed', async () => {
    await sharedWorker();
    // It replays the episode on its own simulator and drops exactly when the episode reaches step 3.
    const dropper = await miner({ policy: 'expert', misbehaviour: { mode: 'selective', fraction: 1, decline: 'drop', dropAtAct: 3 } });
    await queues.add(makeTask({ env: REACH, task_id: 51, hotkey: '5Dropper', endpoint: dropper.url }));
    await waitFor('the dropped task to be a scored failure', async () => (await results('5Dropper')).length === 1);
    assert.deepEqual(
      (await attempts('5Dropper')).map((a) => [a.attempt, a.error_class]),
      [[1, 'failure']],
    );
    const [row] = await results('5Dropper');
    assert.deepEqual([row?.score, row?.timesteps], [0, 2]);
    assert.match(row?.error_message ?? '', /act .*connection failed/);
    assert.equal(dropper.counts.reset, 1, 'the seed was never replayed');
  });

  test('an action key with a NUL or of huge length is a stored failure: the message is cleaned and cut, never unstorable', async () => {
    await sharedWorker();
    // A miner answering every /act with one action key of its choosing.
    const keyServer = async (key: string): Promise<TestServer> => {
      const server = await startTestServer((request, response) => {
        response.setHeader('content-type', 'application/json');
        response.end(request.url === '/reset' ? '{}' : JSON.stringify({ action: { continuous: { [key]: [0] } } }));
      });
      closers.push(() => server.close());
      return server;
    };
    const hostile = await keyServer('x\u0000');
    // Long enough for a message over the cut, short enough for the response limit (16 KiB).
    const huge = await keyServer('k'.repeat(10_000));
    await queues.add(makeTask({ env: REACH, task_id: 41, hotkey: '5NulKey', endpoint: hostile.url }));
    await queues.add(makeTask({ env: REACH, task_id: 42, hotkey: '5HugeKey', endpoint: huge.url }));
    await waitFor('both results stored', async () => (await results('5NulKey')).length + (await results('5HugeKey')).length === 2);
    const [nul] = await results('5NulKey');
    assert.equal(nul!.error_class, 'failure');
    assert.equal(nul!.score, 0);
    assert.match(nul!.error_message ?? '', /unknown continuous action key "x\uFFFD"/);
    const [long] = await results('5HugeKey');
    assert.equal(long!.error_class, 'failure');
    assert.equal(long!.error_message!.length, MAX_OUTCOME_MESSAGE_CHARS);
    assert.ok(long!.error_message!.endsWith('…'));
  });
});

test('kill -9 of an `evalpool worker` mid-episode: the task runs again on another worker, exactly one result row', async () => {
  // Slow on /act: the episode is under way, one step every 100 ms, when the process dies.
  const slow = await miner({ policy: 'random', misbehaviour: { mode: 'slow', on: 'act', delayMs: 100 } });
  const victim: CliProcess = spawnCli(['worker', '--envs', REACH, '--concurrency', '1'], {
    ...settings(),
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_WORKER_ID: 'victim',
    EVALPOOL_LOG_LEVEL: 'info',
  });
  closers.push(() => victim.kill());
  await victim.waitForLog((l) => l.msg === 'evalpool worker is running');
  const task = makeTask({ env: REACH, task_id: 31, hotkey: '5KillNine', endpoint: slow.url });
  await queues.add(task);
  await waitFor('the episode to be under way', () => slow.counts.act >= 3);
  victim.child.kill('SIGKILL');
  assert.equal(await victim.exited(), 'SIGKILL');
  assert.deepEqual(await results('5KillNine'), []);

  // The survivor runs it from the start, at full speed.
  slow.setMisbehaviour({ mode: 'none' });
  const resets = slow.counts.reset;
  const survivor = await mujocoWorker('survivor');
  await waitFor('the task to complete on the survivor', async () => (await queues.getJob(task)) === undefined);
  await survivor.stop();
  const rows = await results('5KillNine');
  assert.deepEqual(
    rows.map((r) => [r.task_id, r.worker_id, r.timesteps]),
    [[31, 'survivor', 200]],
  );
  assert.equal(slow.counts.reset, resets + 1, 'the survivor ran the episode again from /reset');
});

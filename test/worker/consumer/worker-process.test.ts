import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../../src/config/schema.ts';
import { startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import type { TaskJobData } from '../../../src/pool/task-job.ts';
import { type CliProcess, runCli, spawnCli, spawnEntry } from '../../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';
import { startWorker } from '../harness.ts';

const SLOW_WORKER = fileURLToPath(new URL('../fixtures/slow-worker.ts', import.meta.url));
const database = useTestDatabase();
const redis = useTestRedis();
let config: Config;
let queues: TestQueues;
const processes: CliProcess[] = [];

before(() => {
  config = testConfig({
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_LOCK_DURATION_MS: '1000',
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    EVALPOOL_RESULT_FLUSH_MS: '5',
  });
  queues = TestQueues.open(config);
});

after(async () => {
  for (const p of processes) await p.kill();
  await queues.close();
});

/** Variables of a worker process sharing this file's database and Redis prefix. */
function workerVariables(extra: Record<string, string> = {}): Record<string, string> {
  return {
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_LOCK_DURATION_MS: '1000',
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    EVALPOOL_RESULT_FLUSH_MS: '5',
    EVALPOOL_LOG_LEVEL: 'info',
    ...extra,
  };
}

function spawnSlowWorker(extra: Record<string, string>): CliProcess {
  const p = spawnEntry(SLOW_WORKER, [], workerVariables({ EVALPOOL_WORKER_ENVS: 'test/env-a', ...extra }));
  processes.push(p);
  return p;
}

const started = (task: TaskJobData) => (line: Record<string, unknown>) =>
  line.msg === 'evaluation started' && line.task_id === task.task_id;

async function resultRows(hotkey: string) {
  return database.db.selectFrom('results').select(['task_id', 'worker_id']).where('hotkey', '=', hotkey).orderBy('task_id').execute();
}

test('kill -9 of a worker mid-episode: the task runs again on another worker, exactly one result row', async () => {
  const victim = spawnSlowWorker({ EVALPOOL_WORKER_ID: 'victim' });
  // Sleeps 10 minutes: it is mid-episode when killed.
  const task = makeTask({ hotkey: '5KillNine', task_id: 600_000 });
  await victim.waitForLog((l) => l.msg === 'slow worker ready');
  await queues.add(task);
  await victim.waitForLog(started(task));
  victim.child.kill('SIGKILL');
  assert.equal(await victim.exited(), 'SIGKILL');

  const survivor = await startWorker(
    config,
    database.db,
    () => Promise.resolve({ errorClass: 'success', success: true, score: 1, reward: null, timesteps: 1, durationMs: 1 }),
    { workerId: 'survivor' },
  );
  await waitFor('the task to complete on the survivor', async () => (await queues.getJob(task)) === undefined);
  await survivor.stop();
  assert.deepEqual(await resultRows('5KillNine'), [{ task_id: 600_000, worker_id: 'survivor' }]);
});

test('SIGTERM: the running episode that can finish does, the other goes back to pending unused, exit 0', async () => {
  const worker = spawnSlowWorker({ EVALPOOL_WORKER_ID: 'graceful', EVALPOOL_WORKER_CONCURRENCY: '2', EVALPOOL_SHUTDOWN_GRACE_MS: '8000' });
  const quick = makeTask({ hotkey: '5Sigterm', task_id: 300 });
  const endless = makeTask({ hotkey: '5Sigterm', task_id: 600_001 });
  await worker.waitForLog((l) => l.msg === 'slow worker ready');
  await queues.add(quick);
  await queues.add(endless);
  await worker.waitForLog(started(quick));
  await worker.waitForLog(started(endless));
  worker.child.kill('SIGTERM');
  assert.equal(await worker.exited(), 0, worker.stderr());
  assert.ok(worker.logs().some((l) => l.msg === 'stopped' && l.clean === true));
  assert.deepEqual(await resultRows('5Sigterm'), [{ task_id: 300, worker_id: 'graceful' }]);
  assert.equal(await queues.state(endless), 'waiting');
  assert.equal((await queues.getJob(endless))?.attemptsMade, 0);
  const released = await database.db.selectFrom('attempts').select('error_class').where('task_uuid', '=', endless.task_uuid).execute();
  assert.deepEqual(released, [{ error_class: 'worker_error' }]);
  await (await queues.getJob(endless))?.remove();
});

describe('evalpool worker', () => {
  test('an environment it has no evaluator for: one sentence naming it, exit 1', async () => {
    const result = await runCli(['worker', '--envs', 'mujoco/nope-v1,noop/a'], workerVariables());
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      'evalpool: no evaluator for mujoco/nope-v1; this worker can run: mujoco/balance-v1, mujoco/push-v1, mujoco/reach-v1, noop/*\n',
    );
  });

  test('no --envs and no sampling list: says what to do, exit 1', async () => {
    const result = await runCli(['worker'], workerVariables());
    assert.equal(result.code, 1);
    assert.match(result.stderr, /no environments to consume: Postgres has no sampling lists yet/);
  });

  test('a bad --concurrency is a config error naming the variable, exit 2', async () => {
    const result = await runCli(['worker', '--envs', 'noop/a', '--concurrency', '0'], workerVariables());
    assert.equal(result.code, 2);
    assert.match(result.stderr, /EVALPOOL_WORKER_CONCURRENCY/);
  });

  test('consumes its queues (noop family), stores results, and stops cleanly on SIGTERM', async () => {
    const cli = spawnCli(['worker', '--envs', 'noop/smoke', '--concurrency', '2'], workerVariables());
    processes.push(cli);
    await cli.waitForLog((l) => l.msg === 'evalpool worker is running');
    const tasks = Array.from({ length: 5 }, () => makeTask({ env: 'noop/smoke', hotkey: '5CliSmoke' }));
    for (const t of tasks) await queues.add(t);
    await waitFor('5 results', async () => (await resultRows('5CliSmoke')).length === 5);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited(), 0);
  });
});

test('evalpool serve with EVALPOOL_INLINE_WORKERS consumes the queues in process, with the built-in evaluators', async () => {
  const miner = await startDemoMiner({ policy: 'expert' });
  const cli = spawnCli(
    ['serve'],
    workerVariables({
      EVALPOOL_PORT: '0',
      EVALPOOL_SCHEDULER_ENABLED: 'false',
      EVALPOOL_INLINE_WORKERS: '2',
      EVALPOOL_WORKER_ENVS: 'noop/inline,mujoco/reach-v1',
    }),
  );
  processes.push(cli);
  try {
    await cli.waitForLog((l) => l.msg === 'inline workers are running');
    await queues.add(makeTask({ env: 'noop/inline', hotkey: '5Inline' }));
    await queues.add(makeTask({ env: 'mujoco/reach-v1', hotkey: '5Inline', task_id: 5, endpoint: miner.url }));
    await waitFor('the inline results', async () => (await resultRows('5Inline')).length === 2);
    const episode = await database.db
      .selectFrom('results')
      .select(['success', 'timesteps'])
      .where('hotkey', '=', '5Inline')
      .where('env_id', '=', 'mujoco/reach-v1')
      .executeTakeFirstOrThrow();
    assert.equal(episode.success, true);
    assert.ok(episode.timesteps !== null && episode.timesteps > 0);
    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited(), 0);
  } finally {
    await miner.close();
  }
});

// A worker process stopped (SIGSTOP) longer than the job lock loses its task: the stalled check
// returns it to pending and a second worker process takes it over. When the first is continued,
// it finishes its episode first (it was further along) and, before the lock fence, stored it:
// the miner got the task twice and timing chose the result. Now its outcome is discarded as an
// unscored worker_error attempt, the job is left to the second worker, and that episode counts.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Config } from '../../src/config/schema.ts';
import { startDemoMiner, type DemoMiner } from '../../src/miners/demo/demo-miner.ts';
import { queueName, taskJobId } from '../../src/pool/task-job.ts';
import { spawnCli, type CliProcess } from '../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';

const database = useTestDatabase();
const redis = useTestRedis();
const ENV = 'mujoco/reach-v1';
const HOTKEY = '5LockLost';
/** The random policy never solves reach: every episode runs its 200 steps, slowly enough to stop it midway. */
const ACT_DELAY_MS = 40;
const STOP_AT_ACT = 120;

let config: Config;
let queues: TestQueues;
let miner: DemoMiner;
const workers: CliProcess[] = [];

before(async () => {
  config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix });
  queues = TestQueues.open(config);
  miner = await startDemoMiner({ policy: 'random', misbehaviour: { mode: 'slow', on: 'act', delayMs: ACT_DELAY_MS } });
});

after(async () => {
  for (const w of workers) {
    w.child.kill('SIGCONT');
    await w.kill();
  }
  await queues.close();
  await miner.close();
});

async function startWorker(id: string): Promise<CliProcess> {
  const worker = spawnCli(['worker', '--envs', ENV, '--concurrency', '1'], {
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_WORKER_ID: id,
    EVALPOOL_RESULT_FLUSH_MS: '5',
    // The behaviour under test: a stop of a few seconds outlives the lock.
    EVALPOOL_LOCK_DURATION_MS: '2000',
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    // No request timer may come due during the stop: the stopped worker's episode must end
    // normally (a scored outcome) when it is continued, so that its result is the one at stake.
    EVALPOOL_ACTION_TIMEOUT_MS: '60000',
  });
  workers.push(worker);
  await worker.waitForLog((l) => l.msg === 'evalpool worker is running');
  return worker;
}

test('a worker stopped past its lock while a second takes the task over: its outcome is discarded, the second one\'s is the only result', async () => {
  const task = makeTask({ env: ENV, hotkey: HOTKEY, endpoint: miner.url });
  const jobKey = `${redis.prefix}:${queueName(ENV)}:${taskJobId(ENV, task.hotkey, task.revision, task.task_id)}`;
  const stopped = await startWorker('stopped');
  await queues.add(task);
  await waitFor('the first worker well into its episode', () => miner.counts.act >= STOP_AT_ACT);
  stopped.child.kill('SIGSTOP');
  const actsAtStop = miner.counts.act;
  assert.ok(actsAtStop < 200, `the first episode is still running when stopped (${actsAtStop} acts)`);

  const successor = await startWorker('successor');
  await waitFor('the stalled check to hand the task to the second worker', async () => (await redis.redis.hget(jobKey, 'pb')) === 'successor');
  const actsAtTakeover = miner.counts.act;
  await waitFor('the second worker to be under way', () => miner.counts.act >= actsAtTakeover + 5);
  stopped.child.kill('SIGCONT');

  // Done with its episode: an attempt row of its own, or a line saying why there is none.
  const doneLine = (l: Record<string, unknown>): boolean => typeof l.msg === 'string' && /^lost the lock of this task|already stored/.test(l.msg);
  await waitFor('the first worker to be done with its episode', async () => {
    const own = await database.db.selectFrom('attempts').select('id').where('hotkey', '=', HOTKEY).where('worker_id', '=', 'stopped').execute();
    return own.length > 0 || stopped.logs().some(doneLine);
  });
  await waitFor('the second worker to store its result and complete the job', async () => (await redis.redis.exists(jobKey)) === 0);

  // Postgres: one result, the second worker's; the first worker's episode left only an unscored attempt.
  const results = await database.db.selectFrom('results').select(['worker_id', 'error_class']).where('hotkey', '=', HOTKEY).execute();
  assert.deepEqual(results, [{ worker_id: 'successor', error_class: 'failure' }]);
  const attempts = await database.db.selectFrom('attempts').select(['worker_id', 'error_class', 'error_message']).where('hotkey', '=', HOTKEY).orderBy('id').execute();
  assert.deepEqual(
    attempts.map((a) => [a.worker_id, a.error_class]),
    [
      ['stopped', 'worker_error'],
      ['successor', 'failure'],
    ],
  );
  assert.match(attempts[0]!.error_message ?? '', /lost the task's lock .* failure outcome/, 'the discarded outcome was a finished, scorable episode');

  // Redis: the job is gone, in no state and with no lock left behind.
  const counts = await queues.queue(ENV).getJobCounts('wait', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  assert.deepEqual(Object.values(counts).filter((n) => n !== 0), [], JSON.stringify(counts));
  assert.equal(await redis.redis.exists(`${jobKey}:lock`), 0);

  // Nothing crashed and nothing was reported as a failure; both stop cleanly.
  for (const w of [stopped, successor]) {
    assert.equal(w.child.exitCode, null, w.stderr());
    const bad = w.logs().filter((l) => Number(l.level) >= 40);
    assert.deepEqual(bad, [], `warnings or errors logged: ${JSON.stringify(bad)}`);
  }
  assert.equal(stopped.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('lost the lock')).length, 1, 'one line for the discard');
  stopped.child.kill('SIGTERM');
  successor.child.kill('SIGTERM');
  assert.equal(await stopped.exited(), 0, stopped.stderr());
  assert.equal(await successor.exited(), 0, successor.stderr());
});

// A worker process stopped (SIGSTOP) longer than the job lock loses its task: the stalled check
// returns it to pending and a second worker process takes it over. When the first is continued,
// it must neither count its episode (before the lock fence, it stored it: the miner got the task
// twice and timing chose the result) nor go on playing it beside the second worker's (a second
// concurrent run of the task on the miner): BullMQ's first lock renewal after the resume reports
// the lost lock, the episode is stopped, its outcome recorded only as an unscored worker_error
// attempt, the job left to the second worker, whose episode is the one that counts.
//
// The miner is behind a recording front that holds calls on demand: the first worker is stopped
// while it waits on a held /act, so that after the resume it has nothing to read and any call it
// made would be one it chose to make after resuming; the second worker's calls are held too
// meanwhile, so that every call counted in that window is the first worker's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { type DemoMiner, startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { queueName, taskJobId } from '../../../src/pool/task-job.ts';
import { type RecordingMiner, startRecordingMiner } from '../../helpers/recording-miner.ts';
import { type CliProcess, spawnCli } from '../../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const database = useTestDatabase();
const redis = useTestRedis();
const ENV = 'mujoco/reach-v1';
const HOTKEY = '5LockLost';
/** The first worker is stopped while waiting on its call number STOP_AFTER + 1 (a /reset, then /acts): well into its 200-step episode. */
const STOP_AFTER = 60;

let config: Config;
let queues: TestQueues;
let miner: DemoMiner;
let front: RecordingMiner;
const workers: CliProcess[] = [];

before(async () => {
  config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix });
  queues = TestQueues.open(config);
  // The random policy never solves reach: every episode runs its 200 steps.
  miner = await startDemoMiner({ policy: 'random' });
  front = await startRecordingMiner(miner.url);
});

after(async () => {
  for (const w of workers) {
    w.child.kill('SIGCONT');
    await w.kill();
  }
  await queues.close();
  await front.close();
  await miner.close();
});

async function startWorker(id: string, lockDurationMs: number): Promise<CliProcess> {
  const worker = spawnCli(['worker', '--envs', ENV, '--concurrency', '1'], {
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_WORKER_ID: id,
    EVALPOOL_RESULT_FLUSH_MS: '5',
    // The behaviour under test: a stop of a few seconds outlives the first worker's lock. The
    // second one's is long, so that no stall of a loaded machine costs it the task meanwhile.
    EVALPOOL_LOCK_DURATION_MS: String(lockDurationMs),
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    // No request timer may come due while calls are held: a held call ends only by the lock's loss.
    EVALPOOL_ACTION_TIMEOUT_MS: '60000',
    EVALPOOL_MINER_RESET_TIMEOUT_MS: '120000',
  });
  workers.push(worker);
  await worker.waitForLog((l) => l.msg === 'evalpool worker is running');
  return worker;
}

test("a worker stopped past its lock while a second takes the task over: it stops its episode on resuming (no further call to the miner), its outcome is discarded, the second one's is the only result", async () => {
  const task = makeTask({ env: ENV, hotkey: HOTKEY, endpoint: front.url });
  const episode = task.task_uuid;
  const jobKey = `${redis.prefix}:${queueName(ENV)}:${taskJobId(ENV, task.hotkey, task.revision, task.task_id)}`;
  const stopped = await startWorker('stopped', 2_000);
  front.holdAfter(STOP_AFTER);
  await queues.add(task);
  await waitFor('the first worker waiting on a held call, well into its episode', () => front.held === 1);
  stopped.child.kill('SIGSTOP');

  const successor = await startWorker('successor', 30_000);
  await waitFor(
    'the stalled check to hand the task to the second worker',
    async () => (await redis.redis.hget(jobKey, 'pb')) === 'successor',
  );
  await waitFor('the second worker to be under way (its /reset held)', () => front.held === 2);
  const callsAtResume = front.calls(episode);
  assert.equal(callsAtResume, STOP_AFTER + 2, "the first worker's calls up to the held one, and the second worker's /reset");
  stopped.child.kill('SIGCONT');

  await stopped.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('lost the lock of this task'));
  await waitFor("the first worker's discarded attempt to be recorded", async () => {
    const own = await database.db
      .selectFrom('attempts')
      .select('id')
      .where('hotkey', '=', HOTKEY)
      .where('worker_id', '=', 'stopped')
      .execute();
    return own.length > 0;
  });
  // Only the first worker could call in this window (the second waits on its held /reset).
  assert.equal(front.calls(episode), callsAtResume, 'the first worker made no call for the task after it resumed');
  assert.equal(front.held, 1, 'its held call was given up: only the second worker still waits');
  assert.ok(
    stopped.logs().some((l) => typeof l.msg === 'string' && l.msg.startsWith('the lock of a running task was lost')),
    "the episode was stopped on the lock renewal's report",
  );

  front.release();
  await waitFor('the second worker to store its result and complete the job', async () => (await redis.redis.exists(jobKey)) === 0);

  // Postgres: one result, the second worker's; the first worker's episode left only an unscored attempt.
  const results = await database.db.selectFrom('results').select(['worker_id', 'error_class']).where('hotkey', '=', HOTKEY).execute();
  assert.deepEqual(results, [{ worker_id: 'successor', error_class: 'failure' }]);
  const attempts = await database.db
    .selectFrom('attempts')
    .select(['worker_id', 'error_class', 'error_message'])
    .where('hotkey', '=', HOTKEY)
    .orderBy('id')
    .execute();
  assert.deepEqual(
    attempts.map((a) => [a.worker_id, a.error_class]),
    [
      ['stopped', 'worker_error'],
      ['successor', 'failure'],
    ],
  );
  assert.match(attempts[0]!.error_message ?? '', /lost the task's lock .* during its episode: the episode was stopped/);
  assert.equal(front.calls(episode), callsAtResume + 200, "the second worker's 200 /acts, nothing more");

  // Redis: the job is gone, in no state and with no lock left behind.
  const counts = await queues.queue(ENV).getJobCounts('wait', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  assert.deepEqual(
    Object.values(counts).filter((n) => n !== 0),
    [],
    JSON.stringify(counts),
  );
  assert.equal(await redis.redis.exists(`${jobKey}:lock`), 0);

  // Nothing crashed and nothing was reported as a failure; both stop cleanly.
  for (const w of [stopped, successor]) {
    assert.equal(w.child.exitCode, null, w.stderr());
    const bad = w.logs().filter((l) => Number(l.level) >= 40);
    assert.deepEqual(bad, [], `warnings or errors logged: ${JSON.stringify(bad)}`);
  }
  assert.equal(
    stopped.logs().filter((l) => typeof l.msg === 'string' && l.msg.startsWith('lost the lock')).length,
    1,
    'one line for the discard',
  );
  stopped.child.kill('SIGTERM');
  successor.child.kill('SIGTERM');
  assert.equal(await stopped.exited(), 0, stopped.stderr());
  assert.equal(await successor.exited(), 0, successor.stderr());
});

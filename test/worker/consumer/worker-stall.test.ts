// Issue 11 §3: a stalled worker never scores a miner. A real worker process runs episodes against
// an expert miner that answers in about a millisecond; the worker is stopped (SIGSTOP) and
// continued (SIGCONT) again and again while episodes are in flight. A per-request timer that comes
// due during the stop fires on the resumed loop, possibly before the answer waiting in the socket
// is read; those attempts must be the worker's (worker_error, released and run again), never a
// score-0 result against the miner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Config } from '../../../src/config/schema.ts';
import { type DemoMiner, startDemoMiner } from '../../../src/demo/miners/demo-miner.ts';
import { type CliProcess, spawnCli } from '../../helpers/spawn-cli.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { waitFor } from '../../helpers/wait-for.ts';

const database = useTestDatabase();
const redis = useTestRedis();
const ENV = 'mujoco/reach-v1';
const HOTKEY = '5StalledWorker';
const TASKS = 40;
/** Longer than the 500 ms action timeout, as in the campaign. */
const STOP_MS = 1_500;
const STOPS = 6;

let config: Config;
let queues: TestQueues;
let miner: DemoMiner;
let worker: CliProcess | undefined;

before(async () => {
  config = testConfig({ EVALPOOL_QUEUE_PREFIX: redis.prefix });
  queues = TestQueues.open(config);
  miner = await startDemoMiner({ policy: 'expert' });
});

after(async () => {
  if (worker) {
    worker.child.kill('SIGCONT');
    await worker.kill();
  }
  await queues.close();
  await miner.close();
});

const results = () =>
  database.db.selectFrom('results').select(['task_id', 'score', 'error_class', 'error_message']).where('hotkey', '=', HOTKEY).execute();

test('SIGSTOP/SIGCONT of a worker mid-episode: zero score-0 results for an expert that answers in ~1 ms', async (t) => {
  worker = spawnCli(['worker', '--envs', ENV, '--concurrency', '4'], {
    EVALPOOL_DATABASE_URL: database.url,
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_RESULT_FLUSH_MS: '5',
    // The stops must not look like a dead worker to BullMQ (that would only redeliver the task).
    EVALPOOL_LOCK_DURATION_MS: '30000',
    EVALPOOL_LOG_LEVEL: 'info',
  });
  await worker.waitForLog((l) => l.msg === 'evalpool worker is running', 120_000);
  for (let i = 0; i < TASKS; i++) await queues.add(makeTask({ env: ENV, hotkey: HOTKEY, task_id: 1_000 + i, endpoint: miner.url }));

  // Stop the worker STOPS times while episodes are in flight, letting it make progress in between
  // (a worker stopped all the time would only release its tasks again and again).
  let stops = 0;
  while (stops < STOPS && (await results()).length < TASKS) {
    const stored = (await results()).length;
    const actsBefore = miner.counts.act;
    if (!(await waitFor('an episode in flight', () => miner.counts.act > actsBefore, 5_000).catch(() => false))) continue;
    worker.child.kill('SIGSTOP');
    // The stop's length is the fault injected, not a wait for some state.
    await new Promise((resolve) => setTimeout(resolve, STOP_MS));
    worker.child.kill('SIGCONT');
    stops++;
    await waitFor(
      'a new result after the stop',
      async () => (await results()).length > stored || (await results()).length >= TASKS,
      120_000,
      100,
    );
  }
  await waitFor('every task to have a result', async () => (await results()).length >= TASKS, 300_000, 250);

  const rows = await results();
  const classes = await database.db
    .selectFrom('attempts')
    .select(['error_class', (eb) => eb.fn.countAll<number>().as('n')])
    .where('hotkey', '=', HOTKEY)
    .groupBy('error_class')
    .execute();
  t.diagnostic(`attempts by class: ${JSON.stringify(classes)}`);
  const zeros = rows.filter((r) => r.score === 0);
  assert.ok(stops >= 3, `the worker was stopped ${stops} times`);
  assert.deepEqual(zeros, [], `score-0 results after ${stops} stops`);
  assert.equal(rows.length, TASKS);
  const released = await database.db
    .selectFrom('attempts')
    .select('error_message')
    .where('hotkey', '=', HOTKEY)
    .where('error_class', '=', 'worker_error')
    .execute();
  t.diagnostic(`${stops} stops of ${STOP_MS} ms; ${released.length} attempts released as worker_error; ${zeros.length} score-0 results`);
});

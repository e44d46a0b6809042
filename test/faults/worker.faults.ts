import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DemoMiner, startDemoMiner } from '../../src/demo/miners/demo-miner.ts';
import type { TaskJobData } from '../../src/pool/task-job.ts';
import { sleep } from '../../src/runtime/sleep.ts';
import { privatePostgresUnavailable } from '../helpers/private-postgres.ts';
import type { CliProcess } from '../helpers/spawn-cli.ts';
import { makeTask } from '../helpers/task-jobs.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { assertAlive, assertBooks, STARTUP_MS, useFaultSystem } from './fault-system.ts';

// `npm run test:faults`: a worker process killed (-9) mid-episode, round after round, a new one
// started each time; a worker stopped (SIGSTOP) for 2 s, then continued. Real MuJoCo episodes
// against a demo miner; `serve` with an inline worker beside the worker under fault.
const ENV = 'mujoco/reach-v1';
const INLINE = 1;
// Locks long enough for a loaded machine, short enough that an orphan comes back in seconds.
const LOCKS = { EVALPOOL_LOCK_DURATION_MS: '6000', EVALPOOL_STALLED_INTERVAL_MS: '2000', EVALPOOL_TASK_BACKOFF_MS: '100' };

const startServe = async (system: ReturnType<typeof useFaultSystem>): Promise<CliProcess> => {
  const serve = system.spawn(['serve'], {
    EVALPOOL_PORT: '0',
    EVALPOOL_SCHEDULER_ENABLED: 'false',
    EVALPOOL_INLINE_WORKERS: String(INLINE),
    EVALPOOL_WORKER_ENVS: ENV,
    ...LOCKS,
  });
  await serve.waitForLog((l) => l.msg === 'inline workers are running', STARTUP_MS);
  return serve;
};
const startWorker = async (system: ReturnType<typeof useFaultSystem>, id: string): Promise<CliProcess> => {
  const worker = system.spawn(['worker', '--envs', ENV, '--concurrency', '3'], { EVALPOOL_WORKER_ID: id, ...LOCKS });
  await worker.waitForLog((l) => l.msg === 'evalpool worker is running', STARTUP_MS);
  return worker;
};

describe('worker faults: kill -9 mid-episode, 3 rounds', { skip: privatePostgresUnavailable() }, () => {
  const system = useFaultSystem();
  let miner: DemoMiner | undefined;
  before(async () => {
    // Slow enough on /act that an episode is under way for seconds when the worker dies.
    miner = await startDemoMiner({ policy: 'expert', misbehaviour: { mode: 'slow', on: 'act', delayMs: 20 } });
  });
  after(async () => miner?.close());

  test('each round a worker dies mid-episode and a new one starts: nothing lost, one result per task, the orphans come back', async (t) => {
    const hotkey = '5WorkerKillNine';
    const serve = await startServe(system);
    const tasks: TaskJobData[] = [];
    let worker = await startWorker(system, 'victim-1');
    for (let round = 1; round <= 3; round++) {
      const wave = Array.from({ length: 8 }, () => makeTask({ env: ENV, hotkey, endpoint: miner!.url }));
      tasks.push(...wave);
      for (const task of wave) await system.queues.add(task);
      // More jobs active than the inline worker can hold: the worker has episodes under way.
      const acts = miner!.counts.act;
      await waitFor(
        `round ${round}: the worker mid-episode`,
        async () => {
          assertAlive({ serve, worker });
          return (await system.queues.queue(ENV).getActiveCount()) > INLINE && miner!.counts.act > acts + 5;
        },
        120_000,
      );
      worker.child.kill('SIGKILL');
      assert.equal(await worker.exited(), 'SIGKILL');
      worker = await startWorker(system, `victim-${round + 1}`);
    }
    await waitFor(
      `all ${tasks.length} tasks completed`,
      async () => {
        assertAlive({ serve, worker });
        return (await Promise.all(tasks.map((task) => system.queues.getJob(task)))).every((job) => job === undefined);
      },
      300_000,
    );
    await assertBooks(
      t,
      system,
      { scenario: 'worker killed', injected: 'kill -9 of the worker mid-episode, 3 rounds, a new worker each time' },
      tasks,
    );
    serve.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    assert.equal(await serve.exited(), 0, serve.stderr());
    assert.equal(await worker.exited(), 0, worker.stderr());
  });
});

describe('worker faults: SIGSTOP for 2 s', { skip: privatePostgresUnavailable() }, () => {
  const system = useFaultSystem();
  let miner: DemoMiner | undefined;
  before(async () => {
    miner = await startDemoMiner({ policy: 'expert' });
  });
  after(async () => miner?.close());

  test('a worker stopped for 2 s mid-episode, then continued: every task evaluated, none scored for the stop', async (t) => {
    const hotkey = '5WorkerStopped';
    const serve = await startServe(system);
    const worker = await startWorker(system, 'stopped');
    const tasks = Array.from({ length: 24 }, () => makeTask({ env: ENV, hotkey, endpoint: miner!.url }));
    for (const task of tasks) await system.queues.add(task);
    const acts = miner!.counts.act;
    await waitFor(
      'the worker mid-episode',
      async () => {
        assertAlive({ serve, worker });
        return (await system.queues.queue(ENV).getActiveCount()) > INLINE && miner!.counts.act > acts + 5;
      },
      120_000,
    );
    worker.child.kill('SIGSTOP');
    // The fault itself lasts 2 s: this timer is the injection, not a wait for a state.
    await sleep(2_000);
    worker.child.kill('SIGCONT');
    await waitFor(
      `all ${tasks.length} tasks completed`,
      async () => {
        assertAlive({ serve, worker });
        return (await Promise.all(tasks.map((task) => system.queues.getJob(task)))).every((job) => job === undefined);
      },
      300_000,
    );
    // The expert answers fast: a failure naming a timeout would be the worker's own stop scored against the miner.
    const failures = await system.db
      .selectFrom('results')
      .select(['task_id', 'error_message', 'worker_id'])
      .where('hotkey', '=', hotkey)
      .where('error_class', '=', 'failure')
      .execute();
    const stopScored = failures.filter((r) => /time/i.test(r.error_message ?? ''));
    // Attempts that ended otherwise than in a result. The worker's own stall is a `worker_error`
    // (never scored, not counted by slot health); a `miner_unavailable` one would charge the
    // miner's slots for the worker's stop.
    const unscored = await system.db
      .selectFrom('attempts')
      .select(['error_class', 'error_message'])
      .where('hotkey', '=', hotkey)
      .where('error_class', 'not in', ['success', 'failure'])
      .execute();
    const charged = unscored.filter((a) => a.error_class === 'miner_unavailable');
    const byStopped = await system.db
      .selectFrom('results')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('hotkey', '=', hotkey)
      .where('worker_id', '=', 'stopped')
      .executeTakeFirst();
    await assertBooks(
      t,
      system,
      {
        scenario: 'worker stopped',
        injected: 'SIGSTOP of the worker mid-episode for 2 s, then SIGCONT',
        extra: `${Number(byStopped?.n ?? 0)} by the stopped worker; ${failures.length} failures, ${stopScored.length} naming a timeout; ${unscored.length} unscored attempts (${unscored.length - charged.length} worker_error), ${charged.length} charged to the miner`,
      },
      tasks,
    );
    assert.deepEqual(stopScored, [], 'no timeout caused by the stop scored against the miner');
    assert.deepEqual(charged, [], "no attempt charged to the miner for the worker's stop");
    assert.ok(
      unscored.every((a) => a.error_class === 'worker_error'),
      `the stop's unscored attempts are the worker's own: ${JSON.stringify(unscored)}`,
    );
    serve.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    assert.equal(await serve.exited(), 0, serve.stderr());
    assert.equal(await worker.exited(), 0, worker.stderr());
  });
});

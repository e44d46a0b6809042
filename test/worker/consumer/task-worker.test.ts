import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { MAX_WORKER_ERRORS, UNATTRIBUTED_EVIDENCE_WINDOW_MS } from '../../../src/config/constants.ts';
import type { Config } from '../../../src/config/schema.ts';
import { createDatabase } from '../../../src/db/database.ts';
import { circuitKey } from '../../../src/pool/circuit-keys.ts';
import { type PoolWorkerOptions, poolWorkerOptions } from '../../../src/pool/job-options.ts';
import { queueName, type TaskJobData, taskJobId } from '../../../src/pool/task-job.ts';
import type { WorkerJobState } from '../../../src/worker/consumer/job-state.ts';
import type { EvaluationOutcome, Evaluator } from '../../../src/worker/evaluation/evaluator.ts';
import { makeTask, TestQueues } from '../../helpers/task-jobs.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { useTestRedis } from '../../helpers/test-redis.ts';
import { gate, waitFor } from '../../helpers/wait-for.ts';
import { startWorker, type WorkerHarness } from '../harness.ts';

const database = useTestDatabase();
const redis = useTestRedis();

let config: Config;
let queues: TestQueues;
const harnesses: WorkerHarness[] = [];

before(() => {
  config = testConfig({
    EVALPOOL_QUEUE_PREFIX: redis.prefix,
    EVALPOOL_TASK_ATTEMPTS: '2',
    EVALPOOL_TASK_BACKOFF_MS: '10',
    EVALPOOL_LOCK_DURATION_MS: '1000',
    EVALPOOL_STALLED_INTERVAL_MS: '500',
    EVALPOOL_RESULT_FLUSH_MS: '5',
  });
  queues = TestQueues.open(config);
});

after(async () => {
  for (const h of harnesses) await h.stop();
  await queues.close();
});

async function worker(evaluator: Evaluator, overrides: Parameters<typeof startWorker>[3] = {}): Promise<WorkerHarness> {
  const h = await startWorker(config, database.db, evaluator, overrides);
  harnesses.push(h);
  return h;
}

const solved = (score = 1): EvaluationOutcome => ({
  errorClass: 'success',
  success: true,
  score,
  reward: 12.5,
  timesteps: 100,
  latencyMs: 3.25,
  durationMs: 40.4,
});
const unsolved: EvaluationOutcome = {
  errorClass: 'failure',
  success: false,
  score: 0,
  reward: -3,
  timesteps: 250,
  message: 'not solved',
  durationMs: 80,
};
const unscored = (errorClass: EvaluationOutcome['errorClass'], message: string): EvaluationOutcome => ({
  errorClass,
  success: false,
  score: 0,
  reward: null,
  timesteps: null,
  message,
  durationMs: 5,
});

async function resultsOf(task: TaskJobData) {
  return database.db.selectFrom('results').selectAll().where('task_uuid', '=', task.task_uuid).execute();
}
async function attemptsOf(task: TaskJobData) {
  return database.db.selectFrom('attempts').selectAll().where('task_uuid', '=', task.task_uuid).orderBy('id').execute();
}

describe('each class leads to its next state', () => {
  test('success: result row and attempt row written, then the job is gone', async () => {
    const h = await worker(() => Promise.resolve(solved(0.75)));
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    const [result] = await resultsOf(task);
    assert.ok(result);
    assert.equal(result.success, true);
    assert.equal(result.score, 0.75);
    assert.equal(result.reward, 12.5);
    assert.equal(result.timesteps, 100);
    assert.equal(result.latency_ms, 3.25);
    assert.equal(result.duration_ms, 40);
    assert.equal(result.error_class, 'success');
    assert.equal(result.worker_id, 'test-worker');
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.attempt, a.error_class]),
      [[1, 'success']],
    );
    await h.stop();
  });

  test('failure: a scored result with success false, then the job is gone', async () => {
    const h = await worker(() => Promise.resolve(unsolved));
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    const [result] = await resultsOf(task);
    assert.equal(result?.success, false);
    assert.equal(result?.error_class, 'failure');
    assert.equal(result?.error_message, 'not solved');
    await h.stop();
  });

  for (const errorClass of ['miner_unavailable', 'env_error'] as const) {
    test(`${errorClass}: retried with backoff, then paused after its attempts, never a result`, async () => {
      let calls = 0;
      const h = await worker(() => {
        calls += 1;
        return Promise.resolve(unscored(errorClass, `try ${calls}`));
      });
      const task = makeTask();
      await queues.add(task);
      await waitFor('the job to be failed (paused)', async () => (await queues.state(task)) === 'failed');
      const job = await queues.getJob(task);
      assert.equal(job?.attemptsMade, 2);
      assert.equal(job?.failedReason, `${errorClass}: try 2`);
      assert.equal(calls, 2);
      assert.deepEqual(await resultsOf(task), []);
      assert.deepEqual(
        (await attemptsOf(task)).map((a) => [a.attempt, a.error_class, a.error_message]),
        [
          [1, errorClass, 'try 1'],
          [2, errorClass, 'try 2'],
        ],
      );
      await h.stop();
    });
  }

  test('a measured non-answer (the miner had the task): retried like a blip, then a scored failure, never paused', async () => {
    let calls = 0;
    const h = await worker(() => {
      calls += 1;
      return Promise.resolve({ ...unscored('miner_unavailable', `reset: HTTP 500 (try ${calls})`), minerHadTask: true });
    });
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    assert.equal(calls, 2);
    const [result] = await resultsOf(task);
    assert.equal(result?.error_class, 'failure');
    assert.equal(result?.score, 0);
    assert.equal(result?.success, false);
    assert.match(
      result?.error_message ?? '',
      /^scored as a failure: the miner received this task and gave no answer in 2 attempt\(s\); last: reset: HTTP 500 \(try 2\)$/,
    );
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.attempt, a.error_class]),
      [
        [1, 'miner_unavailable'],
        [2, 'failure'],
      ],
    );
    await h.stop();
  });

  test('a miner that receives a task, declines it, then refuses connections until the attempts run out: still a scored failure', async () => {
    let calls = 0;
    const h = await worker(() => {
      calls += 1;
      if (calls === 1)
        return Promise.resolve({ ...unscored('miner_unavailable', 'reset: connection failed: ECONNRESET'), minerHadTask: true });
      return Promise.resolve(unscored('miner_unavailable', 'reset: cannot connect (refused: ECONNREFUSED)'));
    });
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    const [result] = await resultsOf(task);
    assert.equal(result?.error_class, 'failure');
    assert.match(result?.error_message ?? '', /received this task.*ECONNREFUSED/);
    await h.stop();
  });

  test('infrastructure faults after the miner had the task are never scored: env_error at the last attempt pauses', async () => {
    let calls = 0;
    const h = await worker(() => {
      calls += 1;
      if (calls === 1) return Promise.resolve({ ...unscored('miner_unavailable', 'reset: HTTP 503'), minerHadTask: true });
      return Promise.resolve({ ...unscored('env_error', 'simulator diverged'), minerHadTask: true });
    });
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be failed (paused)', async () => (await queues.state(task)) === 'failed');
    assert.deepEqual(await resultsOf(task), []);
    await h.stop();
  });

  // container-outcome.ts, rule 3: an env fault that the env cannot place before or after the
  // miner's answer is settled by evidence across miners at the task's last attempt.
  const unattributed = (message: string): EvaluationOutcome => ({ ...unscored('env_error', message), unattributedFault: true });

  test('an unattributed env fault with no other miner having played the task: retried, then paused, never scored', async () => {
    const h = await worker(() => Promise.resolve(unattributed('IndexError: index 0 is out of bounds for axis 0 with size 0')));
    const task = makeTask({ task_id: 9_001 });
    await queues.add(task);
    await waitFor('the job to be failed (paused)', async () => (await queues.state(task)) === 'failed');
    assert.deepEqual(await resultsOf(task), []);
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => a.error_class),
      ['env_error', 'env_error'],
    );
    await h.stop();
  });

  test('an adversary that declines after /reset, then makes the Actor raise at the last attempt, with no other miner’s evidence: a scored failure, not paused', async () => {
    let calls = 0;
    const h = await worker(() => {
      calls += 1;
      if (calls === 1)
        return Promise.resolve({ ...unscored('miner_unavailable', 'Miner reset failed: HTTPStatusError: 500'), minerHadTask: true });
      // An empty action channel: the Actor raises; nothing says before or after the miner.
      return Promise.resolve(unattributed('IndexError: index 0 is out of bounds for axis 0 with size 0'));
    });
    const task = makeTask({ task_id: 9_003 });
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    const [result] = await resultsOf(task);
    assert.equal(result?.error_class, 'failure');
    assert.equal(result?.score, 0);
    assert.match(
      result?.error_message ?? '',
      /^scored as a failure: the miner received this task and gave no answer in 2 attempt\(s\); last: IndexError/,
    );
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.attempt, a.error_class]),
      [
        [1, 'miner_unavailable'],
        [2, 'failure'],
      ],
    );
    await h.stop();
  });

  test('a task created again with miner_had_task (its history) whose attempts the Actor raises in: a scored failure', async () => {
    const h = await worker(() => Promise.resolve(unattributed('FatalError: Nan, Inf or huge value in QACC at DOF 0.')));
    const task = makeTask({ task_id: 9_004, miner_had_task: true, earlier_attempts: 1 });
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    const [result] = await resultsOf(task);
    assert.equal(result?.error_class, 'failure');
    assert.match(result?.error_message ?? '', /gave no answer in 3 attempt\(s\); last: FatalError/);
    await h.stop();
  });

  test('an adversary whose episodes raise on a task two other miners played out, going dark at the last attempt: a scored failure', async () => {
    let calls = 0;
    const h = await worker((task) => {
      if (task.hotkey === '5HonestOther') return Promise.resolve(solved());
      if (task.hotkey === '5HonestThird') return Promise.resolve({ ...unsolved, message: undefined });
      calls += 1;
      // Attempt 1 provokes the Actor's exception; attempt 2 refuses the connection (never reached).
      if (calls === 1) return Promise.resolve(unattributed('FatalError: Nan, Inf or huge value in QACC at DOF 0.'));
      return Promise.resolve(unscored('miner_unavailable', 'Miner reset failed: ConnectError: [Errno 111] Connection refused'));
    });
    const honest = [makeTask({ task_id: 9_002, hotkey: '5HonestOther' }), makeTask({ task_id: 9_002, hotkey: '5HonestThird' })];
    for (const t of honest) await queues.add(t);
    for (const t of honest) await waitFor('the other miners’ results', async () => (await resultsOf(t)).length === 1);
    // The same env and task id for the adversary; a task of another env id is no evidence.
    const elsewhere = makeTask({ task_id: 9_002, env: 'test/env-b' });
    const task = makeTask({ task_id: 9_002 });
    await queues.add(task);
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    const [result] = await resultsOf(task);
    assert.equal(result?.error_class, 'failure');
    assert.equal(result?.score, 0);
    assert.match(
      result?.error_message ?? '',
      /^scored as a failure: the env failed in this miner's episodes of this task \(2 attempt\(s\)\) while other miners played it out; last: Miner reset failed: ConnectError/,
    );
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.attempt, a.error_class]),
      [
        [1, 'env_error'],
        [2, 'failure'],
      ],
    );
    await h.stop();

    const b = await worker(() => Promise.resolve(unattributed('IndexError: index 0 is out of bounds')), { envs: ['test/env-b'] });
    await queues.add(elsewhere);
    await waitFor('the other env’s job to be failed (paused)', async () => (await queues.state(elsewhere)) === 'failed');
    assert.deepEqual(await resultsOf(elsewhere), []);
    await b.stop();
  });

  /** A result of another miner on `task_id` of env-a, as its worker would have stored it. */
  async function otherResult(
    task_id: number,
    hotkey: string,
    row: { success?: boolean; timesteps?: number; message?: string; ageMs?: number } = {},
  ): Promise<void> {
    await database.db
      .insertInto('results')
      .values({
        task_uuid: randomUUID(),
        env_id: 'test/env-a',
        task_id,
        uid: 9,
        hotkey,
        revision: 'rev00001',
        success: row.success ?? false,
        score: row.success ? 1 : 0,
        reward: 0,
        timesteps: row.timesteps ?? 250,
        error_class: row.success ? 'success' : 'failure',
        error_message: row.message ?? null,
        latency_ms: null,
        duration_ms: 10,
        worker_id: 'elsewhere',
        created_at: new Date(Date.now() - (row.ageMs ?? 0)),
      })
      .execute();
  }

  test('evidence that does not count: stale episodes, truncated sybil episodes, a single other miner; two recent played-out episodes do', async () => {
    const taskId = 9_005;
    // Two miners solved it, but before the window (an older env image, perhaps).
    await otherResult(taskId, '5Stale1', { success: true, ageMs: UNATTRIBUTED_EVIDENCE_WINDOW_MS + 60_000 });
    await otherResult(taskId, '5Stale2', { success: true, ageMs: UNATTRIBUTED_EVIDENCE_WINDOW_MS + 60_000 });
    // Two sybils answered /reset and two actions, then stopped: scored failures with steps, cut short.
    await otherResult(taskId, '5Sybil1', { timesteps: 2, message: 'Miner action timeout at step 2' });
    await otherResult(taskId, '5Sybil2', { timesteps: 2, message: 'Miner action timeout at step 2' });
    // One miner played it out: one is not enough.
    await otherResult(taskId, '5PlayedOut1');
    const h = await worker(() => Promise.resolve(unattributed('FatalError: Nan, Inf or huge value in QACC at DOF 0.')));
    const task = makeTask({ task_id: taskId });
    await queues.add(task);
    await waitFor('the job to be failed (paused)', async () => (await queues.state(task)) === 'failed');
    assert.deepEqual(await resultsOf(task), []);

    // A second miner plays it out; the paused task is created again (its TTL): now it is scored.
    await otherResult(taskId, '5PlayedOut2', { success: true });
    await (await queues.getJob(task))?.remove();
    const again = makeTask({ task_id: taskId });
    await queues.add(again);
    await waitFor('the job to be removed', async () => (await queues.getJob(again)) === undefined);
    const [result] = await resultsOf(again);
    assert.equal(result?.error_class, 'failure');
    assert.match(result?.error_message ?? '', /while other miners played it out/);
    await h.stop();
  });

  test('a Postgres error while looking for evidence: the decision waits (the episode is not run again, no attempt is used), then is made', async () => {
    const taskId = 9_006;
    await otherResult(taskId, '5PlayedOut1', { success: true });
    await otherResult(taskId, '5PlayedOut2');
    // The worker's lookups run on a pool whose statements give up after 1 s; the test holds a lock
    // on `results` that they wait for, until it sees the decision parked.
    const probe = createDatabase({ url: database.url, poolSize: 2, statementTimeoutMs: 1_000, logger: testLogger() });
    const release = gate();
    const locked = gate();
    const holding = database.db.transaction().execute(async (trx) => {
      await sql`lock table results in access exclusive mode`.execute(trx);
      locked.open();
      await release.promise;
    });
    await locked.promise;
    let calls = 0;
    const h = await worker(
      () => {
        calls += 1;
        return Promise.resolve(unattributed('IndexError: index 0 is out of bounds for axis 0 with size 0'));
      },
      { db: probe },
    );
    try {
      const task = makeTask({ task_id: taskId });
      await queues.add(task);
      await waitFor(
        'the decision to be parked',
        async () => ((await queues.getJob(task))?.data as WorkerJobState | undefined)?.evidence_lookup_failures !== undefined,
      );
      assert.equal((await queues.getJob(task))?.attemptsMade, 1, 'the last attempt is not used up');
      release.open();
      await holding;
      await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
      assert.equal(calls, 2, 'the episode ran once per attempt, never again for the decision');
      const [result] = await resultsOf(task);
      assert.equal(result?.error_class, 'failure');
      assert.deepEqual(
        (await attemptsOf(task)).map((a) => [a.attempt, a.error_class]),
        [
          [1, 'env_error'],
          [2, 'failure'],
        ],
      );
    } finally {
      release.open();
      await holding;
      await h.stop();
      await probe.destroy();
    }
  });

  test('an evaluator that throws is an env_error (retried, then paused)', async () => {
    const h = await worker(() => Promise.reject(new Error('simulator exploded')));
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
    assert.equal((await queues.getJob(task))?.failedReason, 'env_error: evaluator threw: simulator exploded');
    assert.deepEqual(await resultsOf(task), []);
    assert.equal((await attemptsOf(task)).length, 2);
    await h.stop();
  });

  test('an evaluator that answers nonsense is an env_error, never a result', async () => {
    const h = await worker(() => Promise.resolve({ ...solved(), success: false }));
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
    assert.match(
      (await queues.getJob(task))?.failedReason ?? '',
      /^env_error: evaluator returned an invalid outcome .*success must be true exactly when/,
    );
    assert.deepEqual(await resultsOf(task), []);
    await h.stop();
  });

  for (const score of [1.5, -0.25]) {
    test(`a score outside [0, 1] (${score}) is an env_error, never a result that scoring would refuse`, async () => {
      const h = await worker(() => Promise.resolve(solved(score)));
      const task = makeTask();
      await queues.add(task);
      await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
      assert.equal(
        (await queues.getJob(task))?.failedReason,
        'env_error: evaluator returned an invalid outcome (score: must be in [0, 1])',
      );
      assert.deepEqual(await resultsOf(task), []);
      await h.stop();
    });
  }

  test('an evaluator that hangs is abandoned after the hard timeout as an env_error, with its signal aborted', async () => {
    const aborted: boolean[] = [];
    const h = await worker(
      (_task, signal) =>
        new Promise((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted.push(true);
            reject(new Error('aborted'));
          });
        }),
      { hardTimeoutMs: 200 },
    );
    const task = makeTask();
    await queues.add(task);
    await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
    assert.equal((await queues.getJob(task))?.failedReason, 'env_error: evaluation did not finish within 200 ms');
    assert.equal(aborted.length, 2);
    await h.stop();
  });

  test('worker_error outside a shutdown: back to pending without using an attempt, then it runs again', async () => {
    const second = gate();
    const entered = gate();
    let calls = 0;
    const h = await worker(async () => {
      calls += 1;
      if (calls === 1) return unscored('worker_error', 'evaluator lost its sandbox');
      entered.open();
      await second.promise;
      return solved();
    });
    const task = makeTask();
    await queues.add(task);
    await entered.promise;
    const job = await queues.getJob(task);
    assert.equal(job?.attemptsMade, 0, 'the worker_error did not consume an attempt');
    assert.equal((job?.data as { worker_errors?: number }).worker_errors, 1);
    second.open();
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    assert.equal((await resultsOf(task)).length, 1);
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.attempt, a.error_class]),
      [
        [1, 'worker_error'],
        [1, 'success'],
      ],
    );
    await h.stop();
  });

  test(`worker_error more than ${MAX_WORKER_ERRORS} times in a row starts consuming attempts (no endless loop)`, async () => {
    const h = await worker(() => Promise.resolve(unscored('worker_error', 'always')));
    const task = makeTask();
    // As if it had already been released MAX_WORKER_ERRORS times (each waits a growing backoff).
    await queues.add(task, { worker_errors: MAX_WORKER_ERRORS });
    await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
    assert.equal((await queues.getJob(task))?.failedReason, 'worker_error: always');
    await h.stop();
  });

  test('invalid job data: failed at once with the reason, nothing written, no retry', async () => {
    let calls = 0;
    const h = await worker(() => {
      calls += 1;
      return Promise.resolve(solved());
    });
    const task = makeTask({ task_uuid: 'not-a-uuid' });
    await queues.add(task);
    await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
    const job = await queues.getJob(task);
    assert.match(job?.failedReason ?? '', /^invalid task data: .*UUID/i);
    assert.equal(job?.attemptsMade, 1);
    assert.equal(calls, 0);
    await h.stop();
  });
});

test('miner_unavailable with an open circuit publishes the circuit key for the scheduler', async () => {
  const openUntil = Date.now() + 60_000;
  const h = await worker(() => Promise.resolve({ ...unscored('miner_unavailable', 'circuit open'), circuitOpenUntilMs: openUntil }));
  const task = makeTask({ hotkey: '5CircuitHotkey' });
  await queues.add(task);
  const value = await waitFor('the circuit key', () => redis.redis.get(circuitKey(redis.prefix, task.hotkey)).then((v) => v ?? undefined));
  assert.equal(Number(value), openUntil);
  const ttl = await redis.redis.pttl(circuitKey(redis.prefix, task.hotkey));
  assert.ok(ttl > 0 && ttl <= 60_000, `PTTL ${ttl}`);
  await waitFor('the job to be failed', async () => (await queues.state(task)) === 'failed');
  await h.stop();
});

test('many tasks over two env queues: each stored exactly once through the batched writer', async () => {
  const envs = ['test/env-a', 'test/env-b'];
  const h = await worker(() => Promise.resolve(solved()), { envs, concurrency: 8 });
  const tasks = Array.from({ length: 150 }, (_, i) => makeTask({ env: envs[i % 2]!, hotkey: '5ManyTasks' }));
  await Promise.all(tasks.map((t) => queues.add(t)));
  const count = async (): Promise<number> =>
    Number(
      (
        await database.db
          .selectFrom('results')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('hotkey', '=', '5ManyTasks')
          .executeTakeFirstOrThrow()
      ).n,
    );
  await waitFor('150 results', async () => (await count()) === 150);
  await waitFor('every job removed', async () =>
    (await Promise.all(envs.map((e) => queues.queue(e).getJobCountByTypes('wait', 'active', 'delayed')))).every((n) => n === 0),
  );
  const attempts = await database.db
    .selectFrom('attempts')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('hotkey', '=', '5ManyTasks')
    .executeTakeFirstOrThrow();
  assert.equal(Number(attempts.n), 150);
  await h.stop();
});

describe('duplicate delivery (a stalled worker and its successor both finish the task)', () => {
  const lockKey = (task: TaskJobData): string =>
    `${redis.prefix}:${queueName(task.env)}:${taskJobId(task.env, task.hotkey, task.revision, task.task_id)}:lock`;

  /**
   * A first holder runs a task of `hotkey` until `held` opens (answering 0.1), and freezes: its
   * lock vanishes as if it had expired. Frozen, it renews no lock, so BullMQ does not report the
   * loss to it before its episode ends: the case of an episode that ended before the first lock
   * renewal after a stall (a holder that is told stops at once: see the next describe).
   */
  async function frozenHolder(hotkey: string): Promise<{ first: WorkerHarness; task: TaskJobData; held: ReturnType<typeof gate> }> {
    const held = gate();
    const entered = gate();
    const first = await worker(
      async () => {
        entered.open();
        await held.promise;
        return solved(0.1);
      },
      {
        concurrency: 1,
        workerId: 'first',
        workerOptions: { ...poolWorkerOptions(config.scheduler), lockRenewTime: 3_600_000 } as PoolWorkerOptions,
      },
    );
    const task = makeTask({ hotkey });
    await queues.add(task);
    await entered.promise;
    await redis.redis.del(lockKey(task));
    return { first, task, held };
  }

  /** A successor that answers 0.9 and counts its calls. */
  async function successorWorker(): Promise<{ successor: WorkerHarness; calls: () => number }> {
    let calls = 0;
    const successor = await worker(
      () => {
        calls += 1;
        return Promise.resolve(solved(0.9));
      },
      { workerId: 'successor' },
    );
    return { successor, calls: () => calls };
  }

  test('the first holder finishes after the successor stored: its outcome is discarded as a worker_error, one row, one scored attempt', async () => {
    const { first, task, held } = await frozenHolder('5DupLate');
    const { successor, calls } = await successorWorker();
    await waitFor(
      'the successor to store the result and remove the job',
      async () => (await resultsOf(task)).length === 1 && (await queues.getJob(task)) === undefined,
    );
    held.open();
    await waitFor('the first holder to finish', () => first.worker.running === 0 && first.writer.waiting === 0);
    await first.stop();
    await successor.stop();
    const results = await resultsOf(task);
    assert.deepEqual(
      results.map((r) => [r.score, r.worker_id]),
      [[0.9, 'successor']],
    );
    assert.equal(calls(), 1);
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.worker_id, a.error_class]),
      [
        ['successor', 'success'],
        ['first', 'worker_error'],
      ],
    );
    assert.match((await attemptsOf(task))[1]!.error_message ?? '', /lost the task's lock/);
  });

  test("the first holder finishes while the successor still runs: discarded; the successor's episode is the one that counts", async () => {
    const { first, task, held } = await frozenHolder('5DupRace');
    const successorHeld = gate();
    const successorEntered = gate();
    const successor = await worker(
      async () => {
        successorEntered.open();
        await successorHeld.promise;
        return solved(0.9);
      },
      { workerId: 'successor' },
    );
    await successorEntered.promise;
    held.open();
    await waitFor('the first holder to discard its outcome', async () => (await attemptsOf(task)).some((a) => a.worker_id === 'first'));
    assert.deepEqual(await resultsOf(task), [], 'the first holder finished first, and stored nothing');
    successorHeld.open();
    await waitFor(
      'the successor to store the result and remove the job',
      async () => (await resultsOf(task)).length === 1 && (await queues.getJob(task)) === undefined,
    );
    await first.stop();
    await successor.stop();
    assert.deepEqual(
      (await resultsOf(task)).map((r) => [r.score, r.worker_id]),
      [[0.9, 'successor']],
    );
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => [a.worker_id, a.error_class]),
      [
        ['first', 'worker_error'],
        ['successor', 'success'],
      ],
    );
  });

  test('the first holder finishes after its task went back to pending, before anyone took it: discarded, and the task runs again', async () => {
    const { first, task, held } = await frozenHolder('5DupEarly');
    await waitFor('the stalled check to return the job to pending', async () => (await queues.state(task)) === 'waiting');
    held.open();
    await waitFor('the first holder to discard its outcome', async () =>
      (await attemptsOf(task)).some((a) => a.error_class === 'worker_error'),
    );
    // No "no result yet" check here: the first worker, still fetching, may already have taken the
    // pending task again (a new delivery with its own lock) and stored that run. The discarded
    // outcome shows in the books below: its attempt is the worker_error, never a result.
    const { successor } = await successorWorker();
    // Either worker may take the pending task again: a new delivery, with a lock of its own.
    await waitFor('the job to be removed', async () => (await queues.getJob(task)) === undefined);
    await first.stop();
    await successor.stop();
    assert.equal((await resultsOf(task)).length, 1);
    assert.deepEqual(
      (await attemptsOf(task)).map((a) => a.error_class),
      ['worker_error', 'success'],
    );
  });
});

describe('lost lock reported while the evaluation runs', () => {
  const lockKey = (task: TaskJobData): string =>
    `${redis.prefix}:${queueName(task.env)}:${taskJobId(task.env, task.hotkey, task.revision, task.task_id)}:lock`;

  test("BullMQ's lock renewal reports the loss: the evaluation is aborted at once, discarded as a worker_error; the successor's episode is the result", async () => {
    const entered = gate();
    const reasons: string[] = [];
    // An evaluator that plays until told to stop (as the episode runner does), however long.
    const first = await worker(
      (_task, signal) =>
        new Promise<EvaluationOutcome>((resolve) => {
          entered.open();
          signal.addEventListener(
            'abort',
            () => {
              reasons.push(String((signal.reason as Error | undefined)?.message));
              resolve(unscored('worker_error', 'aborted'));
            },
            { once: true },
          );
        }),
      { concurrency: 1, workerId: 'first' },
    );
    const task = makeTask({ hotkey: '5LostMidEpisode' });
    await queues.add(task);
    await entered.promise;
    await redis.redis.del(lockKey(task));
    await waitFor('the first holder to discard its stopped episode', async () =>
      (await attemptsOf(task)).some((a) => a.worker_id === 'first'),
    );
    assert.deepEqual(reasons, ["the worker lost the task's lock"], 'stopped by the lost lock, not by a timeout or a shutdown');
    const [discarded] = await attemptsOf(task);
    assert.equal(discarded!.error_class, 'worker_error');
    assert.match(discarded!.error_message ?? '', /lost the task's lock .* during its episode: the episode was stopped/);
    assert.deepEqual(await resultsOf(task), []);
    // Stopped before the successor starts, so that the successor is the one that runs it again.
    await first.stop();
    const successor = await worker(() => Promise.resolve(solved(0.9)), { workerId: 'successor' });
    await waitFor(
      'the successor to store the result and remove the job',
      async () => (await resultsOf(task)).length === 1 && (await queues.getJob(task)) === undefined,
    );
    await successor.stop();
    assert.deepEqual(
      (await resultsOf(task)).map((r) => [r.score, r.worker_id]),
      [[0.9, 'successor']],
    );
    assert.ok(
      (await attemptsOf(task)).every((a) => a.worker_id === 'successor' || a.error_class === 'worker_error'),
      'nothing of the first holder scored',
    );
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { type KyselyPlugin, sql } from 'kysely';
import { createDatabase } from '../../../src/db/database.ts';
import type { ErrorClass } from '../../../src/db/schema.ts';
import type { TaskJobData } from '../../../src/pool/task-job.ts';
import { isPermanentWriteError, ResultWriteTimeoutError } from '../../../src/worker/consumer/errors.ts';
import { ResultWriter, type ResultWriterOptions } from '../../../src/worker/consumer/result-writer.ts';
import { type TaskRecord, taskRecord } from '../../../src/worker/consumer/task-record.ts';
import type { EvaluationOutcome } from '../../../src/worker/evaluation/evaluator.ts';
import { makeTask } from '../../helpers/task-jobs.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { gate, waitFor } from '../../helpers/wait-for.ts';

const database = useTestDatabase();

function outcome(errorClass: ErrorClass, score = errorClass === 'success' ? 1 : 0): EvaluationOutcome {
  return { errorClass, success: errorClass === 'success', score, reward: null, timesteps: 10, durationMs: 12 };
}

function record(task: TaskJobData, errorClass: ErrorClass = 'success', attempt = 1): TaskRecord {
  return taskRecord(task, { attempt, workerId: 'writer-test', finishedAt: Date.now(), outcome: outcome(errorClass) });
}

/** Counts the INSERT statements sent through a database handle. */
function countingInserts(): { plugin: KyselyPlugin; inserts: () => number } {
  let inserts = 0;
  return {
    inserts: () => inserts,
    plugin: {
      transformQuery(args) {
        if (args.node.kind === 'InsertQueryNode') inserts += 1;
        return args.node;
      },
      transformResult(args) {
        return Promise.resolve(args.result);
      },
    },
  };
}

function writer(options: Partial<ResultWriterOptions> = {}): ResultWriter {
  return new ResultWriter({ db: database.db, logger: testLogger(), maxBatchRows: 100, flushMs: 5, writeTimeoutMs: 10_000, ...options });
}

async function countRows(table: 'results' | 'attempts', hotkey: string): Promise<number> {
  const row = await database.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('hotkey', '=', hotkey)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('batching', () => {
  test('a full batch leaves at once as one results insert and one attempts insert', async () => {
    const { plugin, inserts } = countingInserts();
    const w = writer({ db: database.db.withPlugin(plugin), maxBatchRows: 5, flushMs: 600_000 });
    const tasks = Array.from({ length: 5 }, () => makeTask({ hotkey: '5FullBatch' }));
    const receipts = await Promise.all(tasks.map((t) => w.write(record(t))));
    assert.deepEqual(
      receipts,
      tasks.map(() => ({ resultStored: true })),
    );
    assert.equal(inserts(), 2);
    assert.equal(await countRows('results', '5FullBatch'), 5);
    assert.equal(await countRows('attempts', '5FullBatch'), 5);
    await w.stop();
  });

  test('a partial batch leaves after flushMs, together', async () => {
    const { plugin, inserts } = countingInserts();
    const w = writer({ db: database.db.withPlugin(plugin), maxBatchRows: 1000, flushMs: 30 });
    const tasks = Array.from({ length: 3 }, () => makeTask({ hotkey: '5PartialBatch' }));
    await Promise.all(tasks.map((t) => w.write(record(t))));
    assert.equal(inserts(), 2);
    await w.stop();
  });

  test('attempt-only records (unscored classes) get an empty receipt and an attempt row', async () => {
    const w = writer();
    const task = makeTask({ hotkey: '5Unscored' });
    const receipts = await Promise.all([w.write(record(task, 'miner_unavailable', 1)), w.write(record(task, 'env_error', 2))]);
    assert.deepEqual(receipts, [{}, {}]);
    assert.equal(await countRows('attempts', '5Unscored'), 2);
    assert.equal(await countRows('results', '5Unscored'), 0);
    await w.stop();
  });
});

describe('first write wins', () => {
  test('the same identity twice in one batch: the first is stored, the second is not, one scored attempt', async () => {
    const w = writer({ maxBatchRows: 2, flushMs: 600_000 });
    const task = makeTask({ hotkey: '5SameBatch' });
    const again = { ...task, task_uuid: randomUUID() };
    const receipts = await Promise.all([w.write(record(task)), w.write(record(again))]);
    assert.deepEqual(receipts, [{ resultStored: true }, { resultStored: false }]);
    assert.equal(await countRows('results', '5SameBatch'), 1);
    assert.equal(await countRows('attempts', '5SameBatch'), 1);
    await w.stop();
  });

  test('writing the same outcome again (a retried write) changes nothing', async () => {
    const w = writer();
    const task = makeTask({ hotkey: '5Rewrite' });
    const rec = record(task);
    assert.deepEqual(await w.write(rec), { resultStored: true });
    assert.deepEqual(await w.write(rec), { resultStored: false });
    assert.equal(await countRows('results', '5Rewrite'), 1);
    assert.equal(await countRows('attempts', '5Rewrite'), 1);
    await w.stop();
  });

  test('law: whatever the batch size and duplicates, one row per identity, one stored receipt per identity, the first one written', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            taskId: fc.integer({ min: 0, max: 6 }),
            errorClass: fc.constantFrom<ErrorClass>('success', 'failure', 'miner_unavailable', 'env_error'),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 1, max: 12 }),
        async (writes, maxBatchRows) => {
          run += 1;
          const hotkey = `5Law${run}`;
          // One batch in flight at a time: "first" is the order of the writes.
          const w = writer({ maxBatchRows, flushMs: 2, maxInFlight: 1 });
          const records = writes.map((x) => record(makeTask({ hotkey, task_id: x.taskId }), x.errorClass));
          const receipts = await Promise.all(records.map((r) => w.write(r)));
          await w.stop();
          const firstScored = new Map<number, number>();
          records.forEach((r, i) => {
            if (r.result && !firstScored.has(r.result.task_id)) firstScored.set(r.result.task_id, i);
          });
          receipts.forEach((receipt, i) => {
            const r = records[i]!;
            if (!r.result) assert.equal(receipt.resultStored, undefined);
            else assert.equal(receipt.resultStored, firstScored.get(r.result.task_id) === i);
          });
          const stored = await database.db.selectFrom('results').select(['task_id', 'task_uuid']).where('hotkey', '=', hotkey).execute();
          assert.equal(stored.length, firstScored.size);
          for (const row of stored) assert.equal(row.task_uuid, records[firstScored.get(row.task_id)!]!.result!.task_uuid);
          const unscored = records.filter((r) => !r.result).length;
          assert.equal(await countRows('attempts', hotkey), unscored + firstScored.size);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('fences (a worker proves it still holds the task before its record is stored)', () => {
  const scored = async (hotkey: string) =>
    database.db.selectFrom('results').select(['score', 'worker_id']).where('hotkey', '=', hotkey).execute();
  const withScore = (task: TaskJobData, score: number, workerId: string): TaskRecord =>
    taskRecord(task, { attempt: 1, workerId, finishedAt: Date.now(), outcome: outcome('success', score) });

  test('a fence that says no: nothing of the record is written, its receipt says fenced; the rest of the batch is stored', async () => {
    const w = writer({ maxBatchRows: 3, flushMs: 600_000 });
    const tasks = Array.from({ length: 3 }, () => makeTask({ hotkey: '5FenceNo' }));
    const receipts = await Promise.all([
      w.write(record(tasks[0]!), () => Promise.resolve(true)),
      w.write(record(tasks[1]!), () => Promise.resolve(false)),
      w.write(record(tasks[2]!, 'env_error'), () => Promise.resolve(false)),
    ]);
    assert.deepEqual(receipts, [{ resultStored: true }, { fenced: true }, { fenced: true }]);
    assert.equal(await countRows('results', '5FenceNo'), 1);
    assert.equal(await countRows('attempts', '5FenceNo'), 1);
    await w.stop();
  });

  test('a fence that cannot answer (Redis down) fails its own write only: no proof, no row', async () => {
    const w = writer({ maxBatchRows: 2, flushMs: 600_000 });
    const tasks = Array.from({ length: 2 }, () => makeTask({ hotkey: '5FenceThrows' }));
    const settled = await Promise.allSettled([
      w.write(record(tasks[0]!), () => Promise.reject(new Error('Connection is closed.'))),
      w.write(record(tasks[1]!)),
    ]);
    assert.equal(settled[0].status, 'rejected');
    assert.match(String(settled[0].reason), /could not prove it may store this record: Connection is closed/);
    assert.deepEqual(settled[1], { status: 'fulfilled', value: { resultStored: true } });
    assert.equal(await countRows('results', '5FenceThrows'), 1);
    await w.stop();
  });

  test('a fence that hangs (Redis away, its command queued) fails its own write only, within its own timeout; the batch is written', async () => {
    // The batch's timeout is far beyond the fence's: only the fence's own timeout can fail alone.
    const w = writer({ maxBatchRows: 3, flushMs: 600_000, writeTimeoutMs: 600_000, fenceTimeoutMs: 500 });
    const tasks = Array.from({ length: 3 }, () => makeTask({ hotkey: '5FenceHangs' }));
    const never = gate();
    try {
      const settled = await Promise.allSettled([
        w.write(record(tasks[0]!), () => never.promise.then(() => true)),
        w.write(record(tasks[1]!), () => Promise.resolve(true)),
        w.write(record(tasks[2]!)),
      ]);
      assert.equal(settled[0].status, 'rejected');
      assert.match(String(settled[0].reason), /could not prove it may store this record: the fence did not answer within 500 ms/);
      assert.deepEqual(settled.slice(1), [
        { status: 'fulfilled', value: { resultStored: true } },
        { status: 'fulfilled', value: { resultStored: true } },
      ]);
      assert.equal(await countRows('results', '5FenceHangs'), 2);
    } finally {
      never.open();
      await w.stop();
    }
  });

  test("a writer whose fence passed and that stalls before its commit holds back the successor's write, which then loses on the unique key", async () => {
    // The window between the lock check and the commit: the stalled writer checked while it held
    // the task, so its result stands; the successor's write waits for it, never overtakes it.
    // (Postgres ending an idle transaction is the next test's subject: not here.)
    const stalled = writer({ idleTransactionMs: 600_000 });
    const successor = writer();
    const task = makeTask({ hotkey: '5FenceWindow' });
    const checked = gate();
    const resume = gate();
    const first = stalled.write(withScore(task, 0.1, 'stalled'), async () => {
      checked.open();
      await resume.promise;
      return true;
    });
    await checked.promise;
    const second = successor.write(withScore({ ...task, task_uuid: randomUUID() }, 0.9, 'successor'), () => Promise.resolve(true));
    await waitFor("the successor's write to wait for the identity lock", async () => {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from pg_locks where locktype = 'advisory' and not granted`.execute(database.db);
      return rows[0]!.n > 0;
    });
    assert.deepEqual(await scored('5FenceWindow'), [], 'nothing committed while the first writer is stalled');
    resume.open();
    assert.deepEqual(await first, { resultStored: true });
    assert.deepEqual(await second, { resultStored: false });
    assert.deepEqual(await scored('5FenceWindow'), [{ score: 0.1, worker_id: 'stalled' }]);
    assert.equal(await countRows('attempts', '5FenceWindow'), 1);
    await stalled.stop();
    await successor.stop();
  });

  test('a writer frozen mid-transaction past the idle limit: Postgres ends its transaction and its locks, the next writer stores, the frozen write fails as retryable', async () => {
    // Its own pool: the connection Postgres ends is this writer's alone.
    const frozenDb = createDatabase({ url: database.url, poolSize: 1, logger: testLogger() });
    const frozen = writer({ db: frozenDb, idleTransactionMs: 1_000, writeTimeoutMs: 600_000 });
    const next = writer({ writeTimeoutMs: 600_000 });
    const task = makeTask({ hotkey: '5FrozenWriter' });
    const inside = gate();
    const thaw = gate();
    // Its fence passed and it froze before the insert: idle in its transaction, the identity locked.
    const first = frozen.write(withScore(task, 0.1, 'frozen'), async () => {
      inside.open();
      await thaw.promise;
      return true;
    });
    first.catch(() => undefined);
    await inside.promise;
    // Without the limit this write would wait for the frozen transaction for as long as it is frozen.
    const second = next.write(withScore({ ...task, task_uuid: randomUUID() }, 0.9, 'next'), () => Promise.resolve(true));
    assert.deepEqual(await waitFor('the next writer to store its result', () => second), { resultStored: true });
    assert.deepEqual(await scored('5FrozenWriter'), [{ score: 0.9, worker_id: 'next' }]);
    thaw.open();
    await assert.rejects(first, (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(isPermanentWriteError(error), false, `retryable (parked and written again by the task worker): ${error.message}`);
      return true;
    });
    assert.deepEqual(await scored('5FrozenWriter'), [{ score: 0.9, worker_id: 'next' }], 'nothing of the frozen write was stored');
    assert.equal(await countRows('attempts', '5FrozenWriter'), 1);
    // The frozen writer goes on, on a new connection: its parked outcome written again loses on the unique key.
    assert.deepEqual(await frozen.write(withScore(task, 0.1, 'frozen'), () => Promise.resolve(true)), { resultStored: false });
    await frozen.stop();
    await next.stop();
    await frozenDb.destroy();
  });
});

describe('failures', () => {
  test('a row Postgres refuses fails only its own write; the rest of the batch is stored', async () => {
    const w = writer({ maxBatchRows: 3, flushMs: 600_000 });
    const good = [makeTask({ hotkey: '5BadRow' }), makeTask({ hotkey: '5BadRow' })];
    const bad = record(makeTask({ hotkey: '5BadRow' }));
    // Violates the results_scored_class check: only success/failure may be results.
    const refused: TaskRecord = { ...bad, result: { ...bad.result!, error_class: 'env_error' as 'failure' } };
    const settled = await Promise.allSettled([w.write(record(good[0]!)), w.write(refused), w.write(record(good[1]!))]);
    assert.deepEqual(settled[0], { status: 'fulfilled', value: { resultStored: true } });
    assert.deepEqual(settled[2], { status: 'fulfilled', value: { resultStored: true } });
    assert.equal(settled[1].status, 'rejected');
    assert.equal((settled[1] as { reason: { code?: string } }).reason.code, '23514');
    assert.equal(await countRows('results', '5BadRow'), 2);
    await w.stop();
  });

  test('Postgres unreachable: every waiting write rejects with the error', async () => {
    const db = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/nowhere', poolSize: 1, logger: testLogger() });
    const w = writer({ db, maxBatchRows: 3, flushMs: 600_000 });
    const settled = await Promise.allSettled(Array.from({ length: 3 }, () => w.write(record(makeTask()))));
    for (const s of settled) {
      assert.equal(s.status, 'rejected');
      assert.match(String((s as { reason: unknown }).reason), /ECONNREFUSED/);
    }
    await w.stop();
    await db.destroy();
  });

  test('Postgres that never answers: the write fails after writeTimeoutMs', async () => {
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const db = createDatabase({
      url: `postgres://postgres@127.0.0.1:${port}/silent`,
      poolSize: 1,
      connectTimeoutMs: 400,
      logger: testLogger(),
    });
    const w = writer({ db, writeTimeoutMs: 100 });
    await assert.rejects(
      w.write(record(makeTask())),
      (error: unknown) => error instanceof ResultWriteTimeoutError && /100 ms/.test(error.message),
    );
    await w.stop();
    await db.destroy();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('stop', () => {
  test('flushes what waits (without waiting for flushMs), is idempotent, and refuses later writes', async () => {
    const w = writer({ maxBatchRows: 1000, flushMs: 600_000 });
    const tasks = Array.from({ length: 4 }, () => makeTask({ hotkey: '5Stop' }));
    const writes = tasks.map((t) => w.write(record(t)));
    assert.equal(w.waiting, 4);
    const stopping = w.stop();
    assert.equal(w.stop(), stopping);
    await stopping;
    assert.deepEqual(
      await Promise.all(writes),
      tasks.map(() => ({ resultStored: true })),
    );
    await assert.rejects(w.write(record(makeTask())), /stopped/);
    assert.equal(await countRows('results', '5Stop'), 4);
  });
});

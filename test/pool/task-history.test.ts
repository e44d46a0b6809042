// "Once the miner has the task, the episode is measured", made durable: a task created again (its
// job trimmed, removed, lost with Redis) continues from the attempts table, and the over-slots
// trim takes never-attempted jobs before retries. Real Postgres, Redis and BullMQ.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import fc from 'fast-check';
import { CompiledQuery, sql } from 'kysely';
import type { ErrorClass } from '../../src/db/schema.ts';
import { getMeasuredHistories, insertAttempt, measuredHistoriesQuery } from '../../src/db/tables/attempts.ts';
import { resultIdentityKey } from '../../src/db/tables/results.ts';
import type { PooledTask } from '../../src/pool/pool-snapshot.ts';
import { planRemovals, type RemovalContext, trimOrder, wasAttempted } from '../../src/pool/removals.ts';
import { continuationsOf, continueMeasured } from '../../src/pool/task-history.ts';
import { parseTaskJobData, taskJobId } from '../../src/pool/task-job.ts';
import { exhaustedOutcome } from '../../src/worker/evaluation/exhausted-outcome.ts';
import { range, seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { currentLists, poolTasks, putList, usePoolPerTest } from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();
const t0 = Date.parse('2026-01-01T00:00:00Z');

interface Row {
  readonly task_id: number;
  readonly error_class: ErrorClass;
  readonly miner_had_task?: boolean;
  readonly revision?: string;
  readonly at: number;
}

/** Writes attempt rows of hk1's task ids on env-a as a worker would. */
async function writeAttempts(rows: readonly Row[]): Promise<void> {
  for (const [i, r] of rows.entries()) {
    await insertAttempt(database.db, {
      task_uuid: randomUUID(),
      attempt: i + 1,
      env_id: 'env-a',
      task_id: r.task_id,
      uid: 1,
      hotkey: 'hk1',
      revision: r.revision ?? 'r1',
      error_class: r.error_class,
      miner_had_task: r.miner_had_task ?? false,
      worker_id: 'test',
      created_at: new Date(t0 + r.at),
    });
  }
}

const key = (task_id: number, revision = 'r1') => ({ hotkey: 'hk1', revision, env_id: 'env-a', task_id });

void describe('the measured history of a task, from the attempts table', () => {
  beforeEach(async () => {
    await sql`truncate attempts`.execute(database.db);
  });

  void test('counts non-answers from the first delivery; env and worker errors, and attempts that never reached the miner, are not the miner’s', async () => {
    const decline = { error_class: 'miner_unavailable', miner_had_task: true } as const;
    const refuse = { error_class: 'miner_unavailable' } as const;
    await writeAttempts([
      // 1: refused twice (not measured), then declined, refused, and the env and worker failed.
      { task_id: 1, ...refuse, at: 1 },
      { task_id: 1, ...refuse, at: 2 },
      { task_id: 1, ...decline, at: 3 },
      { task_id: 1, ...refuse, at: 4 },
      { task_id: 1, error_class: 'env_error', at: 5 },
      { task_id: 1, error_class: 'worker_error', miner_had_task: true, at: 6 },
      // 2: never reached the miner.
      { task_id: 2, ...refuse, at: 1 },
      { task_id: 2, ...refuse, at: 2 },
      { task_id: 2, error_class: 'worker_error', miner_had_task: true, at: 3 },
      // 3: declined by revision r0 only.
      { task_id: 3, ...decline, revision: 'r0', at: 1 },
      // 5: delivered in an attempt the env broke, then refused: measured from the env_error on.
      { task_id: 5, ...refuse, at: 1 },
      { task_id: 5, error_class: 'env_error', miner_had_task: true, at: 2 },
      { task_id: 5, ...refuse, at: 3 },
      // 6: delivered in an env_error attempt only: measured, no non-answer yet.
      { task_id: 6, error_class: 'env_error', miner_had_task: true, at: 1 },
    ]);
    const histories = await getMeasuredHistories(database.db, [key(1), key(2), key(3), key(3, 'r0'), key(4), key(5), key(6), key(1)]);
    assert.deepEqual(
      histories.map((h) => [h.revision, h.task_id, h.non_answers]).sort(),
      [
        ['r0', 3, 1],
        ['r1', 1, 2],
        ['r1', 5, 1],
        ['r1', 6, 0],
      ],
      'a key asked twice is counted once; tasks never delivered (2), of another revision (3 on r1) or without rows (4) are absent',
    );
    assert.deepEqual(await getMeasuredHistories(database.db, []), []);
  });

  void test('a continued job keeps the pool’s attempts minus the non-answers, at least one', () => {
    assert.deepEqual(continueMeasured(0, 3), { attempts: 3, data: { miner_had_task: true, earlier_attempts: 0 } });
    assert.deepEqual(continueMeasured(1, 3), { attempts: 2, data: { miner_had_task: true, earlier_attempts: 1 } });
    assert.deepEqual(continueMeasured(3, 3), { attempts: 1, data: { miner_had_task: true, earlier_attempts: 3 } });
    assert.deepEqual(continueMeasured(7, 3), { attempts: 1, data: { miner_had_task: true, earlier_attempts: 7 } });
  });

  void test('the lookup probes the partial index per candidate: its cost follows the candidates, not the history', async (t) => {
    // A history mix: 60k attempts of 200 miners, about one in eight retried; 100 candidates.
    await sql`
      insert into attempts (task_uuid, attempt, env_id, task_id, uid, hotkey, revision, error_class, miner_had_task, worker_id, created_at)
      select gen_random_uuid(), 1, 'env-' || (g % 4), g % 5000, g % 200, 'hk' || (g % 200), 'r1',
             case when g % 10 = 0 then 'miner_unavailable' when g % 50 = 1 then 'env_error' else 'success' end,
             g % 20 = 0, 'bench', now() - make_interval(secs => g)
      from generate_series(1, 60000) g`.execute(database.db);
    await sql`analyze attempts`.execute(database.db);
    const candidates = Array.from({ length: 100 }, (_, i) => ({
      hotkey: `hk${i}`,
      revision: 'r1',
      env_id: `env-${i % 4}`,
      task_id: i * 7,
    }));
    const compiled = measuredHistoriesQuery(candidates).compile(database.db);
    const { rows } = await database.db.executeQuery<{ 'QUERY PLAN': unknown }>(
      CompiledQuery.raw(`explain (analyze, format json) ${compiled.sql}`, [...compiled.parameters]),
    );
    const plan = JSON.stringify(rows[0]!['QUERY PLAN']);
    assert.match(plan, /"Index Name":\s*"attempts_task_non_answers"/, 'the partial index is probed');
    assert.doesNotMatch(plan, /"Node Type":\s*"Seq Scan",[^}]*"Relation Name":\s*"attempts"/, 'attempts is never scanned');
    const root = (rows[0]!['QUERY PLAN'] as { 'Execution Time': number }[])[0]!;
    t.diagnostic(`measured-history lookup: 100 candidates over 60k attempts in ${root['Execution Time'].toFixed(2)} ms`);
  });

  // A model of one task's life under an adversary, through the real lookup and the real
  // exhaustion rule: whatever mix of declines, refusals, env errors and trims (a trim = the job
  // removed and created again from the history), the miner answers nothing for at most
  // `attempts` of its deliveries before the task is a scored failure. `unattributed` is an Actor
  // exception the miner may have provoked (container-outcome.ts, rule 3): an env_error row that
  // does not say the miner had the task; with no other miner's evidence it is never scored alone.
  type Step = 'decline' | 'refuse' | 'env_error' | 'env_error_delivered' | 'unattributed' | 'answer' | 'trim';
  const step = fc.constantFrom<Step>(
    'decline',
    'decline',
    'refuse',
    'env_error',
    'env_error_delivered',
    'unattributed',
    'answer',
    'trim',
    'trim',
  );

  void test('property: trims and re-creations never give a miner more than the pool’s attempts on a task it has had', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(step, { maxLength: 14 }), async (maxAttempts, steps) => {
        const taskId = 1_000 + run++;
        const rows: { cls: ErrorClass; had: boolean }[] = [];
        let at = 0;
        let job: { attempts: number; made: number; hadTask: boolean; earlier: number } | undefined;
        let scored: 'played' | 'measured' | undefined;
        // The oracle: non-answers since the first delivery, from the rows written so far.
        const measured = (): number | undefined => {
          const first = rows.findIndex((r) => r.had && r.cls !== 'success');
          return first < 0 ? undefined : rows.slice(first).filter((r) => r.cls === 'miner_unavailable').length;
        };
        const create = async (): Promise<void> => {
          const continuation = (await continuationsOf(database.db, [key(taskId)], maxAttempts)).get(resultIdentityKey(key(taskId)));
          assert.equal(continuation?.data.earlier_attempts, measured(), 'the lookup agrees with the oracle');
          job = continuation
            ? { attempts: continuation.attempts, made: 0, hadTask: true, earlier: continuation.data.earlier_attempts }
            : { attempts: maxAttempts, made: 0, hadTask: false, earlier: 0 };
        };
        const attempt = async (s: Exclude<Step, 'trim'>): Promise<void> => {
          if (!job) await create();
          const j = job!;
          j.made++;
          const cls: ErrorClass =
            s === 'answer' ? 'success' : s.startsWith('env_error') || s === 'unattributed' ? 'env_error' : 'miner_unavailable';
          const had = s === 'answer' || s === 'decline' || s === 'env_error_delivered';
          rows.push({ cls, had });
          await writeAttempts([{ task_id: taskId, error_class: cls, miner_had_task: had, at: at++ }]);
          if (cls === 'success') {
            scored = 'played';
            return;
          }
          // The worker's decision (task-worker.ts, 'retry').
          const outcome = {
            errorClass: cls,
            success: false,
            score: 0,
            reward: 0,
            timesteps: 0,
            durationMs: 1,
            ...(had ? { minerHadTask: true } : {}),
            ...(s === 'unattributed' ? { unattributedFault: true } : {}),
          };
          const last = j.made >= j.attempts ? exhaustedOutcome(outcome, j.earlier + j.made, had || j.hadTask) : undefined;
          if (last) scored = 'measured';
          else if (j.made >= j.attempts)
            job = undefined; // paused; the TTL deletes it, the top-up creates it again
          else if (had) j.hadTask = true;
        };
        for (const s of steps) {
          if (scored) break;
          if (s === 'trim') job = undefined;
          else await attempt(s);
          const spent = measured();
          if (scored === 'measured') assert.notEqual(spent, undefined, 'only a task the miner had is scored for not answering');
          if (!scored) assert.ok((spent ?? 0) < maxAttempts, `unscored after ${spent} non-answers of ${maxAttempts}`);
        }
        // Then the adversary declines every delivery, trimming whenever it can: it ends scored.
        // Or, once it has had the task, it makes the Actor raise in every delivery, the paused
        // task coming back after its TTL: scored within one job's attempts all the same.
        const provoke = run % 2 === 0;
        for (let deliveries = 0; !scored; deliveries++) {
          assert.ok(deliveries < maxAttempts + 1, 'the task is scored within the attempts left');
          if (provoke && measured() !== undefined) {
            await attempt('unattributed');
            continue;
          }
          await attempt('decline');
          if (!scored && !provoke) job = undefined;
        }
        assert.ok((measured() ?? 0) <= maxAttempts);
      }),
      { numRuns: 60 },
    );
  });
});

void describe('the top-up and the trim against real Redis, Postgres and BullMQ', () => {
  const { open } = usePoolPerTest(database, redisHandle, {
    EVALPOOL_TASK_ATTEMPTS: '3',
    EVALPOOL_TASK_BACKOFF_MS: '600000',
    EVALPOOL_MAX_ENV_SHARE: '1',
  });

  void test('a task the miner already had is created with miner_had_task and its attempts less the non-answers; others fresh', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 4) });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 4);
    const decline = { error_class: 'miner_unavailable', miner_had_task: true } as const;
    await writeAttempts([
      { task_id: 0, ...decline, at: 1 },
      { task_id: 1, error_class: 'miner_unavailable', at: 1 },
      { task_id: 1, error_class: 'miner_unavailable', at: 2 },
      { task_id: 1, ...decline, revision: 'r0', at: 3 },
      ...[1, 2, 3, 4].map((at) => ({ task_id: 2, ...decline, at })),
      { task_id: 3, error_class: 'env_error', miner_had_task: true, at: 1 },
      { task_id: 3, error_class: 'env_error', at: 2 },
    ]);
    const { pool } = await open();
    const report = await pool.topUp(await currentLists(database.db));
    assert.equal(report.created, 4);
    const jobs = await Promise.all(range(0, 4).map((id) => pool.queues.get('env-a').getJob(taskJobId('env-a', 'hk1', 'r1', id))));
    const seen = jobs.map((job) => {
      const data = parseTaskJobData(job?.data);
      return [data.task_id, job?.opts.attempts, data.miner_had_task ?? false, data.earlier_attempts ?? 0];
    });
    assert.deepEqual(seen, [
      [0, 2, true, 1],
      [1, 3, false, 0],
      [2, 1, true, 4],
      [3, 3, true, 0],
    ]);
  });

  void test('over-slots trim takes never-attempted jobs first and retries last, whatever their place in the list', async () => {
    await putList(database.db, { env_id: 'env-a', task_ids: range(0, 6) });
    await seedActiveMiners(database.db, [{ uid: 1, hotkey: 'hk1', revision: 'r1' }]);
    await seedSlots(database.db, 'hk1', 4);
    const { pool, consumer } = await open();
    await pool.topUp(await currentLists(database.db));
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push((await consumer.take('env-a'))!);
    // Id 3 (the last to rotate out: trimmed first by position alone) fails once and waits for its
    // retry; the others go back to pending unattempted.
    for (const t of taken) {
      if (t.data.task_id === 3) await t.job.moveToFailed(new Error('miner_unavailable: declined after /reset'), t.token, false);
      else await t.job.moveToWait(t.token);
    }
    const before = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a']);
    assert.deepEqual(
      before.filter(wasAttempted).map((t) => t.taskId),
      [3],
    );
    await seedSlots(database.db, 'hk1', 2);
    const report = await pool.topUp(await currentLists(database.db));
    assert.equal(report.removed['over-slots'], 2);
    const left = await poolTasks(redisHandle.redis, redisHandle.prefix, ['env-a']);
    assert.deepEqual(left.map((t) => [t.taskId, t.list]).sort(), [
      [0, 'wait'],
      [3, 'delayed'],
    ]);
  });
});

void describe('trim order (pure)', () => {
  const task = (taskId: number, list: string): PooledTask => ({
    env: 'e',
    jobId: `j${taskId}`,
    hotkey: 'hk',
    revision: 'r',
    taskId,
    state: 'pending',
    list,
  });

  void test('property: a retry is trimmed only when no never-attempted pending job of the miner is left', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 0, max: 12 }),
        (taskIds, retried, slots) => {
          const tasks = taskIds.map((id, i) => task(id, retried[i] ? 'delayed' : 'wait'));
          const ctx: RemovalContext = {
            activeRevision: new Map([['hk', 'r']]),
            listIds: new Map([['e', new Set(taskIds)]]),
            hasResult: () => false,
            slotsOf: () => slots,
            position: (_env, id) => id,
          };
          const removed = planRemovals(tasks, ctx).map((r) => r.task);
          assert.equal(removed.length, Math.max(0, tasks.length - slots));
          const kept = tasks.filter((t) => !removed.includes(t));
          if (removed.some(wasAttempted)) assert.ok(kept.every(wasAttempted), 'a fresh job was kept while a retry went');
          // Within each kind, the ones that rotate out last go first.
          for (const r of removed) for (const k of kept) if (wasAttempted(r) === wasAttempted(k)) assert.ok(r.taskId > k.taskId);
          assert.deepEqual([...removed].sort(trimOrder(ctx)), removed);
        },
      ),
      { numRuns: 300 },
    );
  });
});

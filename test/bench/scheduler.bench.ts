/**
 * Scheduler bench (docs/design.md targets): the top-up tick at 256 miners × 8 envs × 1,000-id lists
 * (median ≤ 250 ms; Redis round trips O(miners), not O(tasks)), and pool throughput: 100k tasks
 * through evalpool's queues (created by the scheduler's guarded top-up, consumed by 4 BullMQ
 * workers with a no-op evaluator) against raw BullMQ add → process → complete in the same run
 * (≥ 50% of raw). `ctx.scale` scales the miners and the task count.
 */
import { performance } from 'node:perf_hooks';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { getSamplingLists } from '../../src/db/tables/sampling-lists.ts';
import { poolWorkerOptions, taskJobOptions } from '../../src/pool/job-options.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { readPoolSnapshot } from '../../src/pool/pool-snapshot.ts';
import { queueName } from '../../src/pool/task-job.ts';
import { TaskPool } from '../../src/pool/task-pool.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { randomName } from '../helpers/random-name.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { deletePrefix } from '../helpers/test-redis.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';

const FULL_MINERS = 256;
const ENVS = 8;
const LIST_SIZE = 1_000;
const STEADY_TICKS = 30;
const TICK_TARGET_MS = 250;
const FULL_TASKS = 100_000;
const WORKERS = 4;
const WORKER_CONCURRENCY = 16;

/** Counts commands sent on a connection and round trips (commands written in one turn of the event loop travel together). */
function countRedis(redis: Redis): { reset(): void; read(): { commands: number; roundTrips: number } } {
  let commands = 0;
  let roundTrips = 0;
  let open = false;
  const target = redis as unknown as { sendCommand: (...args: unknown[]) => unknown };
  const original = target.sendCommand.bind(redis);
  target.sendCommand = (...args: unknown[]) => {
    commands++;
    if (!open) {
      open = true;
      roundTrips++;
      setImmediate(() => (open = false));
    }
    return original(...args);
  };
  return {
    reset: () => {
      commands = 0;
      roundTrips = 0;
    },
    read: () => ({ commands, roundTrips }),
  };
}

function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * (s.length - 1) + 0.5))]!;
}

async function seed(db: Kysely<Database>, miners: number, envs: number, slots: (uid: number) => number): Promise<void> {
  for (let e = 0; e < envs; e++) {
    const ids = Array.from({ length: LIST_SIZE }, (_, i) => e * 1_000_000 + i * 7);
    await db
      .insertInto('sampling_lists')
      .values({
        env_id: `bench/env-${e}`,
        family: 'bench',
        task_ids: ids,
        dataset_start: 0,
        dataset_end: 10_000_000,
        list_size: LIST_SIZE,
        rotation_count: 10,
        rotation_interval_seconds: 3_600,
        scored: true,
      })
      .execute();
  }
  const rows = Array.from({ length: miners }, (_, uid) => ({
    uid,
    hotkey: `5Bench${uid}`,
    revision: `rev${uid}`,
    endpoint: `http://127.0.0.1:9/${uid}`,
    committed_block: 1_000 + uid,
  }));
  await db.insertInto('miners').values(rows).execute();
  await db
    .insertInto('miner_slots')
    .values(rows.map((r) => ({ hotkey: r.hotkey, slots: slots(r.uid) })))
    .execute();
}

/** Tick time at the docs/design.md scale, in a steady state where most miners have covered their lists. */
async function tickBench(ctx: BenchContext): Promise<BenchResult[]> {
  const miners = Math.max(8, Math.round(FULL_MINERS * ctx.scale));
  const prefix = randomName('evalpool-bench-');
  const bench = await createBenchDatabase(ctx.postgresUrl, 'scheduler', 5);
  const db = bench.db;
  const config = testConfig({ EVALPOOL_QUEUE_PREFIX: prefix, EVALPOOL_MAX_ENV_SHARE: '0.5' });
  let pool: TaskPool | undefined;
  try {
    // Slots 8–16; 90% of miners have results on ~98% of every list, 10% are new (none).
    await seed(db, miners, ENVS, (uid) => 8 + (uid % 9));
    const seedStart = performance.now();
    await sql`set synchronous_commit = off`.execute(db);
    await sql`
      insert into results (task_uuid, env_id, task_id, uid, hotkey, revision, success, score, error_class, worker_id)
      select gen_random_uuid(), l.env_id, t.id, m.uid, m.hotkey, m.revision, true, 1, 'success', 'bench'
      from miners m cross join sampling_lists l cross join unnest(l.task_ids) as t(id)
      where m.uid % 10 <> 0 and random() < 0.98`.execute(db);
    // As autovacuum would have by then (the visibility map makes the result reads index-only).
    await sql`vacuum (analyze) results`.execute(db);
    const resultRows = Number((await sql<{ n: string }>`select count(*) as n from results`.execute(db)).rows[0]!.n);
    const seedSeconds = (performance.now() - seedStart) / 1000;

    pool = await TaskPool.open({ redisUrl: ctx.redisUrl, prefix, db, config, logger: testLogger() });
    const token = randomName('bench#');
    await pool.connection.set(poolKeys(prefix).lease, token);
    pool.beginTerm(token);
    const counter = countRedis(pool.connection);
    const lists = await getSamplingLists(db);
    const envIds = lists.map((l) => l.env_id);

    const startAt = performance.now();
    const reconcile = await pool.reconcile(lists);
    const reconcileMs = performance.now() - startAt;
    const fillStart = performance.now();
    const fill = await pool.topUp(await getSamplingLists(db));
    const fillMs = performance.now() - fillStart;

    const times: number[] = [];
    const trips: number[] = [];
    const commands: number[] = [];
    let created = 0;
    let sqlQueries = 0;
    const steps: Record<string, number[]> = {};
    for (let i = 0; i < STEADY_TICKS; i++) {
      // Between ticks: a quarter of the pool finishes (job gone, result written), as workers would.
      const snapshot = await readPoolSnapshot(pool.connection, prefix, envIds);
      const done = snapshot.tasks.filter((_, k) => k % 4 === i % 4);
      await Promise.all(done.map((t) => pool!.queues.get(t.env).remove(t.jobId)));
      if (done.length > 0) {
        await sql`
          insert into results (task_uuid, env_id, task_id, uid, hotkey, revision, success, score, error_class, worker_id)
          select gen_random_uuid(), d.env, d.task, m.uid, m.hotkey, m.revision, true, 1, 'success', 'bench'
          from unnest(${done.map((t) => t.env)}::text[], ${done.map((t) => t.taskId)}::int[], ${done.map((t) => t.hotkey)}::text[]) as d(env, task, hotkey)
          join miners m on m.hotkey = d.hotkey
          on conflict do nothing`.execute(db);
      }
      if (i % 10 === 5) {
        // A rotation: 10 ids out of one env, 10 new ones in.
        await sql`update sampling_lists set task_ids = task_ids[11:] || array(select 9000000 + ${i} * 100 + g from generate_series(1, 10) g), version = version + 1, last_rotated_at = now() where env_id = ${envIds[i % envIds.length]}`.execute(
          db,
        );
      }
      const tickLists = await getSamplingLists(db);
      counter.reset();
      const start = performance.now();
      const report = await pool.topUp(tickLists);
      times.push(performance.now() - start);
      const c = counter.read();
      trips.push(c.roundTrips);
      commands.push(c.commands);
      created += report.created;
      for (const [step, ms] of Object.entries(report.stepsMs)) (steps[step] ??= []).push(ms);
      if (process.env.BENCH_VERBOSE) console.error(i, times.at(-1)?.toFixed(1), JSON.stringify(report.stepsMs), report.created);
      sqlQueries = Math.max(sqlQueries, report.sqlQueries);
    }
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    const median = quantile(times, 0.5);
    const scale = `${miners} miners × ${ENVS} envs × ${LIST_SIZE}-id lists`;
    const stepNotes = Object.entries(steps)
      .map(([step, ms]) => `${step} ${quantile(ms, 0.5).toFixed(1)}`)
      .join(', ');
    const notes = `median ms per step: ${stepNotes}; ${resultRows} results seeded in ${seedSeconds.toFixed(0)} s; ${STEADY_TICKS} steady ticks, a quarter of the pool finishing between ticks (${Math.round(created / STEADY_TICKS)} tasks created per tick), 3 rotations`;
    return [
      { name: `tick median (${scale})`, value: median, unit: 'ms', target: `<= ${TICK_TARGET_MS} ms`, ok: median <= TICK_TARGET_MS, notes },
      { name: `tick p95 (${scale})`, value: quantile(times, 0.95), unit: 'ms' },
      {
        name: 'tick Redis round trips (max)',
        value: Math.max(...trips),
        unit: 'round trips',
        target: 'O(miners), not O(tasks)',
        ok: Math.max(...trips) <= 10,
        notes: `commands per tick: median ${quantile(commands, 0.5)}, max ${Math.max(...commands)} (one per removal and per created task, all in the same round trips)`,
      },
      { name: 'tick SQL queries (max)', value: sqlQueries, unit: 'queries' },
      { name: `first fill from empty (${scale})`, value: fillMs, unit: 'ms', notes: `${fill.created} tasks created` },
      {
        name: 'leader start: reconciliation with the full result read',
        value: reconcileMs,
        unit: 'ms',
        notes: `${reconcile.inFlight} in flight`,
      },
      { name: 'process RSS after the tick bench', value: rssMb, unit: 'MB', target: '<= 300 MB (service)', ok: rssMb <= 300 },
    ];
  } finally {
    await pool?.close();
    const redis = createRedis(ctx.redisUrl, 'command', testLogger());
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await bench.drop();
  }
}

/**
 * Processes `total` jobs with 4 no-op workers on one queue; resolves with the seconds taken once
 * `feed` finished and all were processed.
 */
async function drain(
  ctx: BenchContext,
  prefix: string,
  env: string,
  total: number,
  feed: (stop: () => boolean) => Promise<void>,
): Promise<number> {
  const connection = createRedis(ctx.redisUrl, 'bullmq', testLogger());
  let processed = 0;
  let finished: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const options = poolWorkerOptions(testConfig().scheduler);
  const workers = Array.from({ length: WORKERS }, () => {
    const w = new Worker(
      queueName(env),
      () => {
        if (++processed === total) finished();
        return Promise.resolve();
      },
      { connection, prefix, concurrency: WORKER_CONCURRENCY, ...options, autorun: false },
    );
    w.on('error', () => undefined);
    return w;
  });
  const start = performance.now();
  for (const w of workers) void w.run();
  await Promise.all([feed(() => processed >= total), allDone]);
  const seconds = (performance.now() - start) / 1000;
  await Promise.all(workers.map((w) => w.close()));
  await closeRedis(connection);
  return seconds;
}

/** 100k tasks through evalpool's queues vs raw BullMQ. */
async function throughputBench(ctx: BenchContext): Promise<BenchResult[]> {
  const total = Math.max(5_000, Math.round(FULL_TASKS * ctx.scale));
  const prefix = randomName('evalpool-bench-');
  const env = 'bench/env-0';
  const bench = await createBenchDatabase(ctx.postgresUrl, 'scheduler', 5);
  const db = bench.db;
  const redis = createRedis(ctx.redisUrl, 'command', testLogger());
  let pool: TaskPool | undefined;
  try {
    // Raw BullMQ: bulk adds of the same job options while 4 workers consume.
    const jobOptions = taskJobOptions(testConfig().scheduler);
    const rawQueue = new Queue(queueName('bench/raw'), { connection: redis, prefix });
    const rawSeconds = await drain(ctx, prefix, 'bench/raw', total, async () => {
      for (let i = 0; i < total; i += 1_000) {
        const n = Math.min(1_000, total - i);
        await rawQueue.addBulk(
          Array.from({ length: n }, (_, k) => ({
            name: 'task',
            data: {
              env: 'bench/raw',
              task_id: i + k,
              uid: 0,
              hotkey: 'hk',
              revision: 'r',
              endpoint: 'http://127.0.0.1:9/',
              created_at: Date.now(),
            },
            opts: { ...jobOptions, jobId: `raw-${i + k}` },
          })),
        );
      }
    });
    await rawQueue.close();

    // evalpool: the scheduler's top-up creates tasks as slots free up (128 miners × 32 slots on
    // one env); the no-op evaluator writes no result, so ids are created again and again.
    await db
      .insertInto('sampling_lists')
      .values({
        env_id: env,
        family: 'bench',
        task_ids: Array.from({ length: LIST_SIZE }, (_, i) => i),
        dataset_start: 0,
        dataset_end: 1_000_000,
        list_size: LIST_SIZE,
        rotation_count: 10,
        rotation_interval_seconds: 3_600,
        scored: true,
      })
      .execute();
    const minerRows = Array.from({ length: 128 }, (_, uid) => ({
      uid,
      hotkey: `5Tput${uid}`,
      revision: 'r',
      endpoint: `http://127.0.0.1:9/${uid}`,
      committed_block: uid,
    }));
    await db.insertInto('miners').values(minerRows).execute();
    await db
      .insertInto('miner_slots')
      .values(minerRows.map((m) => ({ hotkey: m.hotkey, slots: 32 })))
      .execute();
    const config = testConfig({ EVALPOOL_QUEUE_PREFIX: prefix, EVALPOOL_MAX_ENV_SHARE: '1', EVALPOOL_HOURLY_CAP_MARGIN: '1000' });
    pool = await TaskPool.open({ redisUrl: ctx.redisUrl, prefix, db, config, logger: testLogger() });
    const token = randomName('bench#');
    await pool.connection.set(poolKeys(prefix).lease, token);
    pool.beginTerm(token);
    const lists = await getSamplingLists(db);
    let ticks = 0;
    let created = 0;
    const poolSeconds = await drain(ctx, prefix, env, total, async (stop) => {
      while (!stop()) {
        created += (await pool!.topUp(lists)).created;
        ticks++;
      }
    });
    const raw = total / rawSeconds;
    const ours = total / poolSeconds;
    const notes = `${WORKERS} BullMQ workers × concurrency ${WORKER_CONCURRENCY}, no-op processor, our job options; evalpool side: ${ticks} back-to-back top-ups created ${created} tasks (128 miners × 32 slots); plain BullMQ Workers stand in for the worker module's consumer`;
    return [
      {
        name: `pool throughput (${total} tasks, evalpool top-up + 4 workers)`,
        value: ours,
        unit: 'tasks/s',
        baseline: raw,
        target: '>= 50% of raw BullMQ',
        ok: ours >= raw * 0.5,
        notes,
      },
      { name: 'pool throughput / raw BullMQ', value: (100 * ours) / raw, unit: '%' },
    ];
  } finally {
    await pool?.close();
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await bench.drop();
  }
}

/** Runs both parts. */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  return [...(await tickBench(ctx)), ...(await throughputBench(ctx))];
}

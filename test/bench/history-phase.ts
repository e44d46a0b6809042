/**
 * One side of the history bench (history.bench.ts), in a process of its own so that its RSS is
 * that of a leader at this history alone. Usage: `<multiplier> <scale> <explain file>`; prints one
 * JSON line (`HistoryFigures`) on stdout.
 *
 * The database: 256·scale miners × 8 envs × 1,000-id lists and `multiplier` list lifetimes of
 * history, seeded by test/helpers/seed-history.ts (rotated-out ids, retired revisions, attempts
 * within retention, every weights publication and its snapshot).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { type RawBuilder, sql } from 'kysely';
import pino from 'pino';
import { currentListAggregateQuery, listedResultsOfActiveMiners, listedResultsQuery } from '../../src/db/tables/results.ts';
import { getSamplingLists } from '../../src/db/tables/sampling-lists.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { readPoolSnapshot } from '../../src/pool/pool-snapshot.ts';
import { TaskPool } from '../../src/pool/task-pool.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { randomName } from '../helpers/random-name.ts';
import { seededBlocks, seedHistory } from '../helpers/seed-history.ts';
import { spawnEntry } from '../helpers/spawn-cli.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { deletePrefix } from '../helpers/test-redis.ts';
import { createBenchDatabase } from './bench-database.ts';
import { median } from './median.ts';

const FULL_MINERS = 256;
const ENVS = 8;
const LIST_SIZE = 1_000;
const STARTS = 3;
const TICKS = 10;
const WEIGHTS_PASSES = 3;
const API_REQUESTS = 30;
const SERVER = fileURLToPath(new URL('./api-bench-server.ts', import.meta.url));
const POSTGRES = 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = 'redis://127.0.0.1:6379';

/** What one side measured (all times in ms, memory in MB). */
export interface HistoryFigures {
  readonly multiplier: number;
  readonly miners: number;
  readonly resultRows: number;
  readonly seedSeconds: number;
  /** Seconds per seeding step. */
  readonly seedSteps: Readonly<Record<string, number>>;
  readonly attemptRows: number;
  readonly snapshotRows: number;
  readonly tableMb: number;
  /** Load average (1 min) before the measurements and after them. */
  readonly load: readonly [number, number];
  /** Every sample behind the medians (start, index read, tick, weights). */
  readonly samples: Readonly<Record<string, readonly number[]>>;
  /** Leader start: reconciliation (with the result index's full read) + the first fill. */
  readonly startMs: number;
  /** The result index's full read alone. */
  readonly indexReadMs: number;
  readonly tickMs: number;
  readonly weightsMs: number;
  /** Median latency per `/v1/*` route. */
  readonly api: Readonly<Record<string, number>>;
  /** Peak RSS of this process (the leader: pool, result index) and of the API server process. */
  readonly leaderRssMb: number;
  readonly apiRssMb: number;
}

async function timed<T>(body: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const value = await body();
  return [performance.now() - start, value];
}

/** The peak RSS of a process, from /proc (MB). */
function peakRssMb(pid: number): number {
  const kb = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return kb ? Number(kb) / 1024 : Number.NaN;
}

async function measure(multiplier: number, scale: number, explainFile: string): Promise<HistoryFigures> {
  const miners = Math.max(8, Math.round(FULL_MINERS * scale));
  const bench = await createBenchDatabase(POSTGRES, `history_${multiplier}x`, 5);
  const { db } = bench;
  const redis = createRedis(REDIS, 'command', testLogger());
  const prefixes: string[] = [];
  try {
    const seeded = await seedHistory(db, { miners, envs: ENVS, listSize: LIST_SIZE, multiplier }, 2, (line) =>
      process.stderr.write(`history ${multiplier}×: seeding, ${line}\n`),
    );
    const loadBefore = os.loadavg()[0]!;
    const resultRows = seeded.results;
    const tableMb = Number((await sql<{ b: string }>`select pg_total_relation_size('results') as b`.execute(db)).rows[0]!.b) / 2 ** 20;
    const lists = await getSamplingLists(db);

    // Leader start, three times over (each a new pool and an empty Redis prefix), median.
    const starts: number[] = [];
    let pool: TaskPool | undefined;
    for (let s = 0; s < STARTS; s++) {
      await pool?.close();
      const prefix = randomName('evalpool-bench-history-');
      prefixes.push(prefix);
      const [ms, opened] = await timed(async () => {
        const config = testConfig({ EVALPOOL_QUEUE_PREFIX: prefix, EVALPOOL_MAX_ENV_SHARE: '0.5' });
        const p = await TaskPool.open({ redisUrl: REDIS, prefix, db, config, logger: testLogger() });
        const token = randomName('bench#');
        await p.connection.set(poolKeys(prefix).lease, token);
        p.beginTerm(token);
        await p.reconcile(lists);
        await p.topUp(lists);
        return p;
      });
      starts.push(ms);
      pool = opened;
    }
    const listed = { envIds: lists.flatMap((l) => l.task_ids.map(() => l.env_id)), taskIds: lists.flatMap((l) => [...l.task_ids]) };
    const indexReads: number[] = [];
    for (let s = 0; s < STARTS; s++) indexReads.push((await timed(() => listedResultsOfActiveMiners(db, listed)))[0]);

    // Steady ticks: between two, a quarter of the pool finishes (job gone, result written).
    const prefix = prefixes.at(-1)!;
    const envIds = lists.map((l) => l.env_id);
    const ticks: number[] = [];
    for (let t = 0; t < TICKS; t++) {
      const snapshot = await readPoolSnapshot(pool!.connection, prefix, envIds);
      const done = snapshot.tasks.filter((_, k) => k % 4 === t % 4);
      await Promise.all(done.map((task) => pool!.queues.get(task.env).remove(task.jobId)));
      if (done.length > 0) {
        await sql`
          insert into results (task_uuid, env_id, task_id, uid, hotkey, revision, success, score, error_class, worker_id)
          select gen_random_uuid(), d.env, d.task, m.uid, m.hotkey, m.revision, true, 1, 'success', 'bench'
          from unnest(${done.map((x) => x.env)}::text[], ${done.map((x) => x.taskId)}::int[], ${done.map((x) => x.hotkey)}::text[]) as d(env, task, hotkey)
          join miners m on m.hotkey = d.hotkey and m.active
          on conflict do nothing`.execute(db);
      }
      ticks.push((await timed(() => pool!.topUp(lists)))[0]);
    }
    await pool?.close();

    // Weights passes (aggregate + scoring + writes); the last one's rows feed the API below.
    const weights: number[] = [];
    let block = seededBlocks({ miners, envs: ENVS, listSize: LIST_SIZE, multiplier }) + 1;
    for (let w = 0; w < WEIGHTS_PASSES; w++) {
      weights.push(
        (
          await timed(() =>
            computeAndPublishWeights({
              db,
              config: testConfig(),
              logger: pino({ level: 'silent' }),
              block: () => Promise.resolve(block++),
            }),
          )
        )[0],
      );
    }

    const explain = async (title: string, query: RawBuilder<unknown>) =>
      `== ${title}\n${(await query.execute(db)).rows.map((r) => String(Object.values(r as object)[0])).join('\n')}\n`;
    writeFileSync(
      explainFile,
      (await explain('the result index full read (leader start)', sql`explain (analyze, buffers) ${listedResultsQuery(listed)}`)) +
        (await explain('the weights aggregate', sql`explain (analyze, buffers) ${currentListAggregateQuery()}`)) +
        (await explain(
          "a miner's newest result (/v1/miners)",
          sql`explain (analyze, buffers) select k.hotkey, r.* from (select hotkey from miners where active) k
            cross join lateral (select revision, env_id, task_id, created_at from results where hotkey = k.hotkey order by created_at desc limit 1) r`,
        )),
    );

    // /v1/* through a real API process: sequential requests after a warm-up, median per route.
    const server = spawnEntry(SERVER, [bench.url, REDIS]);
    const api: Record<string, number> = {};
    let apiRssMb = Number.NaN;
    try {
      const url = String((await server.waitForLog((line) => typeof line.url === 'string', 120_000)).url);
      const latest = (await (await fetch(`${url}/v1/weights/latest`)).json()) as { block_number?: number; block?: number };
      const snapshotId = (await sql<{ id: string }>`select max(id) as id from score_snapshots`.execute(db)).rows[0]!.id;
      const routes = [
        '/v1/status',
        '/v1/miners',
        '/v1/miners/1',
        '/v1/environments',
        '/v1/scores/latest',
        `/v1/scores/${snapshotId}`,
        '/v1/weights/latest',
        `/v1/weights/${latest.block_number ?? latest.block ?? block - 1}`,
      ];
      for (const route of routes) {
        const times: number[] = [];
        for (let r = 0; r < API_REQUESTS + 3; r++) {
          const [ms, response] = await timed(async () => {
            const res = await fetch(`${url}${route}`);
            await res.arrayBuffer();
            return res;
          });
          if (response.status >= 500) throw new Error(`${route} answered ${response.status}`);
          if (r >= 3) times.push(ms);
        }
        api[route.replace(/\/\d+$/, '/{id}')] = median(times);
      }
      apiRssMb = peakRssMb(server.child.pid!);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited();
    }
    return {
      multiplier,
      miners,
      resultRows,
      seedSeconds: seeded.seconds,
      seedSteps: seeded.steps,
      attemptRows: seeded.attempts,
      snapshotRows: seeded.scoreSnapshots,
      tableMb,
      load: [loadBefore, os.loadavg()[0]!],
      samples: { start: starts, indexRead: indexReads, tick: ticks, weights },
      startMs: median(starts),
      indexReadMs: median(indexReads),
      tickMs: median(ticks),
      weightsMs: median(weights),
      api,
      leaderRssMb: process.resourceUsage().maxRSS / 1024,
      apiRssMb,
    };
  } finally {
    for (const prefix of prefixes) await deletePrefix(redis, prefix);
    await closeRedis(redis);
    await bench.drop();
  }
}

const [multiplier, scale, explainFile] = process.argv.slice(2);
if (!multiplier || !scale || !explainFile) throw new Error('usage: history-phase.ts <multiplier> <scale> <explain file>');
process.stdout.write(`${JSON.stringify(await measure(Number(multiplier), Number(scale), explainFile))}\n`);

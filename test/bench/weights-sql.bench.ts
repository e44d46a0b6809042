/**
 * Weights computation as the leader runs it, at docs/design.md's scale: 256 miners × 8 scored envs ×
 * 1,000-id lists with a result for every (miner, env, listed id), plus a history of as many
 * results on ids rotated out and an inactive old revision per 8th miner (they must not count, and
 * they make the table twice the size the aggregate needs). Identities look real: 48-character
 * hotkeys, 8-character revisions, `mujoco/...` env ids. Timed: the SQL aggregate alone; the
 * aggregate + `computeScores` (the target, ≤ 1 s); and the whole pass with its writes.
 *
 * Seeding uses `insert … select generate_series` (≈1 min at full scale), then `vacuum analyze`,
 * as autovacuum would have done on a live table (index-only scans need the visibility map).
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pino from 'pino';
import { aggregateCurrentListResults } from '../../src/db/tables/results.ts';
import { readScoringInput } from '../../src/scheduler/read-scoring-input.ts';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { computeScores } from '../../src/scoring/compute-scores.ts';
import { scoringParamsOf } from '../../src/scoring/scoring-params-of.ts';
import { testConfig } from '../helpers/test-config.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';
import { median } from './median.ts';

const FULL_MINERS = 256;
const ENVS = 8;
const LIST_SIZE = 1_000;
const TIMED_RUNS = 5;
const TARGET_MS = 1_000;
/** 48 characters, like an SS58 hotkey: key length matters to the index size and the hashing. */
const HOTKEY = sql.raw(`'5' || substr(md5(g::text) || md5(g::text || 'x'), 1, 47)`);
const HOTKEY_OF_M = sql.raw(`'5' || substr(md5(m::text) || md5(m::text || 'x'), 1, 47)`);

async function time(runs: number, body: () => Promise<unknown>): Promise<number[]> {
  await body(); // warm-up: plans cached, pages in shared buffers
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await body();
    times.push(performance.now() - start);
  }
  return times;
}

/** Times the aggregate, the aggregate + scoring, and a whole pass at `256·scale` miners. */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const miners = Math.max(8, Math.round(FULL_MINERS * ctx.scale));
  const bench = await createBenchDatabase(ctx.postgresUrl, 'weights_sql');
  try {
    const { db } = bench;
    const seedStart = performance.now();
    await sql`
      insert into miners (uid, hotkey, revision, endpoint, committed_block)
      select g, ${HOTKEY}, 'c0ffee01', 'http://127.0.0.1:1', 1000 + g from generate_series(0, ${miners - 1}) g`.execute(db);
    await sql`
      insert into miners (uid, hotkey, revision, endpoint, committed_block, active)
      select g, ${HOTKEY}, 'deadbee0', 'http://127.0.0.1:1', 500 + g, false from generate_series(0, ${miners - 1}, 8) g`.execute(db);
    // Lists hold the even ids of [0, 2·LIST_SIZE); the odd ids stand for rotated-out history.
    await sql`
      insert into sampling_lists (env_id, family, task_ids, dataset_start, dataset_end, list_size, rotation_count, rotation_interval_seconds, scored)
      select 'mujoco/env-' || e || '-v1', 'builtin', array(select 2 * i from generate_series(0, ${LIST_SIZE - 1}) i), 0, 100000, ${LIST_SIZE}, 50, 3600, true
      from generate_series(0, ${ENVS - 1}) e`.execute(db);
    // Success probability differs per miner and env so that thresholds and subsets do real work.
    await sql`
      insert into results (task_uuid, env_id, task_id, uid, hotkey, revision, success, score, error_class, worker_id)
      select gen_random_uuid(), 'mujoco/env-' || e || '-v1', t, m, ${HOTKEY_OF_M}, 'c0ffee01', s, case when s then 1 else 0 end,
             case when s then 'success' else 'failure' end, 'bench'
      from generate_series(0, ${miners - 1}) m, generate_series(0, ${ENVS - 1}) e, generate_series(0, ${2 * LIST_SIZE - 1}) t,
           lateral (select random() < 0.3 + 0.6 * ((m * 7 + e * 13) % 17) / 16.0 as s offset 0) x`.execute(db);
    await sql`
      insert into results (task_uuid, env_id, task_id, uid, hotkey, revision, success, score, error_class, worker_id)
      select gen_random_uuid(), 'mujoco/env-' || e || '-v1', 2 * t, m, ${HOTKEY_OF_M}, 'deadbee0', true, 1, 'success', 'bench'
      from generate_series(0, ${miners - 1}, 8) m, generate_series(0, ${ENVS - 1}) e, generate_series(0, ${LIST_SIZE - 1}) t`.execute(db);
    await sql`vacuum analyze`.execute(db);
    const seedMs = performance.now() - seedStart;
    const total = await sql<{ n: number }>`select count(*)::int as n from results`.execute(db);

    const config = testConfig();
    const params = scoringParamsOf(config);
    const aggregate = await time(TIMED_RUNS, () => aggregateCurrentListResults(db));
    let eligible = 0;
    const scoring = await time(TIMED_RUNS, async () => {
      eligible = computeScores((await readScoringInput(db)).input, params).eligibleCount;
    });
    let block = 1;
    const pass = await time(TIMED_RUNS, () =>
      computeAndPublishWeights({ db, config, logger: pino({ level: 'silent' }), block: () => Promise.resolve(block++) }),
    );

    const scale = `${miners} miners × ${ENVS} envs × ${LIST_SIZE} results`;
    const notes = `${total.rows[0]!.n} result rows (half outside the lists, plus inactive revisions); ${eligible} eligible; median of ${TIMED_RUNS} after a warm-up; seeding took ${Math.round(seedMs / 1000)} s`;
    const scored = median(scoring);
    return [
      { name: `weights SQL aggregate, median (${scale})`, value: median(aggregate), unit: 'ms', notes },
      {
        name: `weights SQL aggregate + scoring, median (${scale})`,
        value: scored,
        unit: 'ms',
        target: `<= ${TARGET_MS} ms`,
        ok: scored <= TARGET_MS,
        notes,
      },
      {
        name: `weights pass with writes, median (${scale})`,
        value: median(pass),
        unit: 'ms',
        notes: 'aggregate + scoring + weights row and ~0.5 MB snapshot',
      },
    ];
  } finally {
    await bench.drop();
  }
}

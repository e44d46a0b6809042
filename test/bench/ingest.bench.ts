/**
 * Result ingestion bench: finished attempts per second into Postgres through the batched
 * `ResultWriter` (each record = one result row + one attempt row, in one transaction per batch),
 * against raw multi-row inserts of the same rows with `pg` in the same run (the baseline), and
 * single-row inserts for comparison. Target (docs/design.md): ≥ 5,000 rows/s batched.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { type Kysely, sql } from 'kysely';
import { connectClient } from '../../src/db/connection-loss.ts';
import type { Database, NewAttempt, NewResult } from '../../src/db/schema.ts';
import { insertAttempt } from '../../src/db/tables/attempts.ts';
import { insertResult } from '../../src/db/tables/results.ts';
import { ResultWriter } from '../../src/worker/consumer/result-writer.ts';
import { type TaskRecord, taskRecord } from '../../src/worker/consumer/task-record.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { createBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './bench-result.ts';

const FULL_ROWS = 50_000;
const SINGLE_ROWS = 2_000;
const RAW_BATCH = 500;
/** Jobs finishing continuously in the closed-loop run (each writes its next record when the last one is stored). */
const CLOSED_LOOP_JOBS = 1_000;
const TARGET_ROWS_PER_S = 5_000;

function records(count: number, hotkey: string): TaskRecord[] {
  return Array.from({ length: count }, (_, i) =>
    taskRecord(
      {
        env: 'bench/ingest-v1',
        task_id: i,
        task_uuid: randomUUID(),
        uid: i % 256,
        hotkey,
        revision: 'rev00001',
        endpoint: 'http://127.0.0.1:9/',
        created_at: Date.now(),
      },
      {
        attempt: 1,
        workerId: 'bench',
        finishedAt: Date.now(),
        outcome: {
          errorClass: i % 2 === 0 ? 'success' : 'failure',
          success: i % 2 === 0,
          score: i % 2 === 0 ? 1 : 0,
          reward: i * 0.5,
          timesteps: 200,
          latencyMs: 4.2,
          durationMs: 1234,
        },
      },
    ),
  );
}

async function truncate(db: Kysely<Database>): Promise<void> {
  await sql`truncate results, attempts`.execute(db);
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return (performance.now() - start) / 1000;
}

function multiRowInsert(table: string, rows: readonly (NewResult | NewAttempt)[], suffix: string): { text: string; values: unknown[] } {
  const columns = Object.keys(rows[0]!);
  const values: unknown[] = [];
  const tuples = rows.map((row) => `(${columns.map((c) => `$${values.push((row as Record<string, unknown>)[c])}`).join(', ')})`);
  return { text: `insert into ${table} (${columns.join(', ')}) values ${tuples.join(', ')}${suffix}`, values };
}

/** The baseline: the same rows, 500 per statement, results then attempts in one transaction, one connection. */
async function rawMultiRow(url: string, all: readonly TaskRecord[]): Promise<number> {
  const client = await connectClient(url);
  try {
    return await timed(async () => {
      for (let i = 0; i < all.length; i += RAW_BATCH) {
        const batch = all.slice(i, i + RAW_BATCH);
        await client.query('begin');
        const results = multiRowInsert(
          'results',
          batch.map((r) => r.result!),
          ' on conflict do nothing',
        );
        await client.query(results.text, results.values);
        const attempts = multiRowInsert(
          'attempts',
          batch.map((r) => r.attempt),
          '',
        );
        await client.query(attempts.text, attempts.values);
        await client.query('commit');
      }
    });
  } finally {
    await client.end();
  }
}

/** Measures ingestion at `50,000·scale` records. */
export async function run(ctx: BenchContext): Promise<BenchResult[]> {
  const config = testConfig();
  const bench = await createBenchDatabase(ctx.postgresUrl, 'ingest');
  const db = bench.db;
  try {
    const n = Math.max(2_000, Math.round(FULL_ROWS * ctx.scale));
    const writerOptions = {
      db,
      logger: testLogger(),
      maxBatchRows: config.worker.resultBatchRows,
      flushMs: config.worker.resultFlushMs,
      writeTimeoutMs: 60_000,
    };

    // Warm-up: connections, plans, caches.
    const warm = new ResultWriter(writerOptions);
    await Promise.all(records(2_000, 'warm').map((r) => warm.write(r)));
    await warm.stop();
    await truncate(db);

    const baselineRecords = records(n, 'raw');
    const baselineSeconds = await rawMultiRow(bench.url, baselineRecords);
    const baseline = n / baselineSeconds;
    await truncate(db);

    const openRecords = records(n, 'open');
    const openWriter = new ResultWriter(writerOptions);
    const openSeconds = await timed(async () => {
      await Promise.all(openRecords.map((r) => openWriter.write(r)));
    });
    await openWriter.stop();
    const open = n / openSeconds;
    await truncate(db);

    const closedRecords = records(n, 'closed');
    const closedWriter = new ResultWriter(writerOptions);
    let next = 0;
    const closedSeconds = await timed(async () => {
      await Promise.all(
        Array.from({ length: CLOSED_LOOP_JOBS }, async () => {
          while (next < closedRecords.length) await closedWriter.write(closedRecords[next++]!);
        }),
      );
    });
    await closedWriter.stop();
    const closed = n / closedSeconds;
    await truncate(db);

    const singleRecords = records(Math.min(SINGLE_ROWS, n), 'single');
    const singleSeconds = await timed(async () => {
      for (const r of singleRecords) {
        await db.transaction().execute(async (trx) => {
          if (await insertResult(trx, r.result!)) await insertAttempt(trx, r.attempt);
        });
      }
    });
    const single = singleRecords.length / singleSeconds;

    const target = `>= ${TARGET_ROWS_PER_S} rows/s`;
    const settings = `batch ${writerOptions.maxBatchRows} rows or ${writerOptions.flushMs} ms, 2 batches in flight`;
    return [
      {
        name: `result ingestion, batched writer (${n} records submitted at once)`,
        value: open,
        unit: 'rows/s',
        baseline,
        target,
        ok: open >= TARGET_ROWS_PER_S,
        notes: `${settings}; a row = 1 result + 1 attempt in one transaction; baseline = raw pg multi-row inserts of ${RAW_BATCH}, same rows, same run`,
      },
      {
        name: `result ingestion, batched writer (${CLOSED_LOOP_JOBS} jobs writing one after another)`,
        value: closed,
        unit: 'rows/s',
        baseline,
        target,
        ok: closed >= TARGET_ROWS_PER_S,
        notes: `${settings}; each job awaits its row before writing the next`,
      },
      {
        name: 'result ingestion, raw multi-row inserts (baseline)',
        value: baseline,
        unit: 'rows/s',
        notes: `${RAW_BATCH} rows per statement, results + attempts, one connection`,
      },
      {
        name: 'result ingestion, single-row inserts',
        value: single,
        unit: 'rows/s',
        notes: `${singleRecords.length} rows, one transaction (result + attempt) per row, for comparison`,
      },
    ];
  } finally {
    await bench.drop();
  }
}

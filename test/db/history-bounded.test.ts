/**
 * Cost flat in history, as plans: the same present (64 miners × 2 envs × 50-id lists) over 1×
 * and 20× list lifetimes of history (test/helpers/seed-history.ts), and every periodic reader
 * run for real on each (leader start and tick, weights pass, `/v1/*`, retention, slot
 * adjuster) through a connection with auto_explain, which reports each statement's plan with
 * its actual row counts. What each part reads from the tables that grow with history must be
 * the same at 20× as at 1× (rows, never time): a query that scans history reads ~20× as many.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type pg from 'pg';
import pino from 'pino';
import { createDatabase } from '../../src/db/database.ts';
import { getSamplingLists } from '../../src/db/tables/sampling-lists.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { adjustSlots } from '../../src/pool/slots/adjust-slots.ts';
import { TaskPool } from '../../src/pool/task-pool.ts';
import { createRetentionTask } from '../../src/scheduler/retention-task.ts';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { randomName } from '../helpers/random-name.ts';
import { type HistoryShape, seededBlocks, seedHistory } from '../helpers/seed-history.ts';
import { testApp } from '../helpers/test-app.ts';
import { testConfig } from '../helpers/test-config.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { deletePrefix, useTestRedis } from '../helpers/test-redis.ts';

/**
 * Tables that grow with the months (results, weights publications and their snapshots, rotation
 * records) or with the retention windows (attempts, slot history, live snapshots). `miners` (one
 * row per revision ever committed: thousands after a year) is small enough that reading it whole
 * is the planner's right choice, and is left out.
 */
const HISTORY_TABLES = new Set(['results', 'attempts', 'score_snapshots', 'weights', 'slot_history', 'rotations']);
// 64 miners: each hotkey a realistic share of the rows, so the plans are those of full scale.
const SHAPE = { miners: 64, envs: 2, listSize: 50 } as const;
const MANY = 20;

interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Actual Rows'?: number;
  readonly 'Actual Loops'?: number;
  readonly 'Rows Removed by Filter'?: number;
  readonly 'Rows Removed by Index Recheck'?: number;
  readonly Plans?: readonly PlanNode[];
}

/** One statement auto_explain reported: its text and the rows its scans read, per table. */
interface ExplainedStatement {
  readonly query: string;
  readonly rows: Map<string, number>;
  readonly seqScans: string[];
}

function rowsRead(node: PlanNode, into: ExplainedStatement): void {
  const table = node['Relation Name'];
  if (table && HISTORY_TABLES.has(table) && node['Node Type'] !== 'ModifyTable') {
    const read =
      ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
      (node['Actual Loops'] ?? 1);
    into.rows.set(table, (into.rows.get(table) ?? 0) + read);
    if (node['Node Type'] === 'Seq Scan') into.seqScans.push(table);
  }
  for (const child of node.Plans ?? []) rowsRead(child, into);
}

/** A Kysely over one connection whose every statement's plan (with actual rows) lands in `statements`. */
function explainedDatabase(url: string, statements: ExplainedStatement[]) {
  const onConnect = (client: pg.PoolClient): void => {
    client.on('notice', (notice) => {
      const text = notice.message ?? '';
      const json = text.indexOf('{');
      if (!text.startsWith('duration:') || json < 0) return;
      const explained = JSON.parse(text.slice(json)) as { 'Query Text': string; Plan: PlanNode };
      const statement: ExplainedStatement = { query: explained['Query Text'].replace(/\s+/g, ' ').trim(), rows: new Map(), seqScans: [] };
      rowsRead(explained.Plan, statement);
      statements.push(statement);
    });
    void client.query(
      `load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_analyze = on; set auto_explain.log_timing = off;
       set auto_explain.log_format = json; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice`,
    );
  };
  return createDatabase({ url, poolSize: 1, logger: testLogger(), onConnect });
}

type Part = 'leader start' | 'tick' | 'weights pass' | 'api' | 'retention' | 'slot adjuster';

/** Rows each part of the service read from the history tables, with the statements behind them. */
async function readsOf(url: string, shape: HistoryShape, redisUrl: string, prefix: string): Promise<Map<Part, ExplainedStatement[]>> {
  const statements: ExplainedStatement[] = [];
  const db = explainedDatabase(url, statements);
  const parts = new Map<Part, ExplainedStatement[]>();
  const part = async (name: Part, body: () => Promise<unknown>): Promise<void> => {
    statements.length = 0;
    await body();
    parts.set(name, [...statements]);
  };
  const config = testConfig({ EVALPOOL_QUEUE_PREFIX: prefix, EVALPOOL_MAX_ENV_SHARE: '1' });
  const lists = await getSamplingLists(db);
  let pool: TaskPool | undefined;
  try {
    await part('leader start', async () => {
      pool = await TaskPool.open({ redisUrl, prefix, db, config, logger: testLogger() });
      const token = randomName('history#');
      await pool.connection.set(poolKeys(prefix).lease, token);
      pool.beginTerm(token);
      await pool.reconcile(lists);
      await pool.topUp(lists);
    });
    await part('tick', () => pool!.topUp(lists));
    await part('weights pass', () =>
      computeAndPublishWeights({
        db,
        config: testConfig(),
        logger: pino({ level: 'silent' }),
        block: () => Promise.resolve(seededBlocks(shape) + 1),
      }),
    );
    await part('api', async () => {
      const app = testApp(db);
      for (const route of [
        '/v1/status',
        '/v1/miners',
        '/v1/miners/1',
        '/v1/environments',
        '/v1/scores/latest',
        '/v1/weights/latest',
        `/v1/weights/${seededBlocks(shape)}`,
      ]) {
        const response = await app.request(route);
        assert.ok(response.status < 500, `${route}: ${response.status}`);
        await response.arrayBuffer();
      }
    });
    await part('retention', () =>
      createRetentionTask({ db, config: testConfig(), logger: testLogger() }).run(new AbortController().signal),
    );
    await part('slot adjuster', () => adjustSlots(db, testConfig().slots, new Date(), testLogger()));
  } finally {
    await pool?.close();
    await db.destroy();
  }
  return parts;
}

const total = (statements: readonly ExplainedStatement[], table: string): number =>
  statements.reduce((n, s) => n + (s.rows.get(table) ?? 0), 0);

describe('hot queries are bounded by the current lists × active miners, not by history', () => {
  const redis = useTestRedis();
  const databases: TestDatabase[] = [];
  const reads = new Map<number, Map<Part, ExplainedStatement[]>>();

  before(async () => {
    for (const multiplier of [1, MANY]) {
      const database = await createTestDatabase();
      databases.push(database);
      const shape = { ...SHAPE, multiplier };
      await seedHistory(database.db, shape);
      reads.set(multiplier, await readsOf(database.url, shape, redis.url, `${redis.prefix}-${multiplier}x`));
      await deletePrefix(redis.redis, `${redis.prefix}-${multiplier}x`);
    }
  });
  after(async () => {
    for (const database of databases) await database.drop();
  });

  for (const part of ['leader start', 'tick', 'weights pass', 'api', 'retention', 'slot adjuster'] as const) {
    it(`${part}: reads as many history-table rows at ${MANY}× as at 1×, and no sequential scan of them`, () => {
      const one = reads.get(1)!.get(part)!;
      const many = reads.get(MANY)!.get(part)!;
      assert.ok(one.length > 0, `${part} ran no statement`);
      const detail = (side: readonly ExplainedStatement[]) =>
        side
          .filter((s) => s.rows.size > 0)
          .map((s) => `  ${[...s.rows].map(([t, n]) => `${t}=${n}`).join(' ')}: ${s.query.slice(0, 160)}`)
          .join('\n');
      for (const table of HISTORY_TABLES) {
        const a = total(one, table);
        const b = total(many, table);
        // Equal presents: a bounded reader reads about the same; one that reads history, ~20×.
        assert.ok(
          b <= a * 1.5 + 50,
          `${part} read ${b} rows of ${table} at ${MANY}× and ${a} at 1×\n1×:\n${detail(one)}\n${MANY}×:\n${detail(many)}`,
        );
      }
      const scans = many.flatMap((s) => s.seqScans.map((t) => `${t}: ${s.query.slice(0, 160)}`));
      assert.deepEqual(
        scans.filter((s) => /^(results|attempts|score_snapshots|weights|slot_history):/.test(s)),
        [],
        `${part} scans history tables sequentially`,
      );
    });
  }
});

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { BlockClock } from '../../src/chain/block-clock.ts';
import { getLatestScoreSnapshot } from '../../src/db/tables/score-snapshots.ts';
import { getLatestWeights } from '../../src/db/tables/weights.ts';
import { computeAndPublishWeights, createWeightsTask, type WeightsTaskDeps } from '../../src/scheduler/weights-task.ts';
import type { StoredScoreReport } from '../../src/scoring/stored-report.ts';
import { range, seedList, seedMiner, seedResults } from '../helpers/seed.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger, testLogger } from '../helpers/test-logger.ts';

const database = useTestDatabase();
const config = testConfig({ EVALPOOL_MIN_COVERAGE: '0.8', EVALPOOL_WEIGHTS_INTERVAL_SECONDS: '30' });

/** A block provider the test moves by hand. */
function blocks(start: number): { provider: () => Promise<number>; set(b: number): void } {
  let current = start;
  return { provider: () => Promise.resolve(current), set: (b) => (current = b) };
}

function deps(block: () => Promise<number>, logger = testLogger()): WeightsTaskDeps {
  return { db: database.db, config, logger, block };
}

async function count(table: 'weights' | 'score_snapshots'): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(database.db);
  return r.rows[0]!.n;
}

/** Two scored envs of 10 ids; uid 1 solves everything, uid 2 half, uid 3 has 5/10 coverage. */
async function seedPopulation(): Promise<void> {
  for (const env of ['a', 'b']) await seedList(database.db, env, range(0, 10));
  await seedMiner(database.db, { uid: 1, committedBlock: 100 });
  await seedMiner(database.db, { uid: 2, committedBlock: 50 });
  await seedMiner(database.db, { uid: 3, committedBlock: 10 });
  for (const env of ['a', 'b']) {
    await seedResults(database.db, { uid: 1 }, env, range(0, 10), () => 1);
    await seedResults(database.db, { uid: 2 }, env, range(0, 10), (_, i) => i % 2);
    await seedResults(database.db, { uid: 3 }, env, range(0, 5), () => 1);
  }
}

describe('computeAndPublishWeights', () => {
  beforeEach(async () => {
    await sql`truncate results, miners, sampling_lists, score_snapshots, weights restart identity cascade`.execute(database.db);
  });

  test('nothing to score: no weights, the reason is stored in a live snapshot', async () => {
    const result = await computeAndPublishWeights(deps(blocks(1_000).provider), new Date('2026-01-01T00:00:00Z'));
    assert.equal(result.outcome, 'no-weights');
    assert.match(result.reason!, /no scored environment/);
    assert.equal(result.weightsId, null);
    assert.equal(await count('weights'), 0);
    const snapshot = await getLatestScoreSnapshot(database.db);
    assert.equal(snapshot?.weights_id, null);
    assert.equal(snapshot?.reason, result.reason);
    assert.equal(snapshot?.block_number, 1_000);
    assert.equal((snapshot?.report as unknown as StoredScoreReport).computedAt, '2026-01-01T00:00:00.000Z');
  });

  test('partial coverage never publishes; the reason is logged once as a warning, then refreshed in place', async () => {
    await seedList(database.db, 'a', range(0, 10));
    await seedMiner(database.db, { uid: 1 });
    await seedResults(database.db, { uid: 1 }, 'a', range(0, 6), () => 1);
    const { logger, lines } = capturingLogger();
    const first = await computeAndPublishWeights(deps(blocks(10).provider, logger));
    assert.equal(first.outcome, 'no-weights');
    assert.match(first.reason!, /no eligible miner.*closest: uid 1 at 0\.600 in env a/);

    await seedResults(database.db, { uid: 1 }, 'a', [6], [1]);
    const second = await computeAndPublishWeights(deps(blocks(11).provider, logger));
    assert.equal(second.snapshotId, first.snapshotId, 'the live snapshot is updated, not duplicated');
    assert.match(second.reason!, /closest: uid 1 at 0\.700/, 'the reason is current');
    assert.equal(await count('score_snapshots'), 1);
    assert.equal(await count('weights'), 0);
    const warnings = lines.filter((l) => l.level === 40 && String(l.msg).startsWith('no weights published'));
    assert.equal(warnings.length, 1);
    assert.ok(lines.some((l) => l.level === 20 && String(l.msg).startsWith('still no weights')));
  });

  test('publishes weights and their snapshot; the expert gets the most', async () => {
    await seedPopulation();
    const result = await computeAndPublishWeights(deps(blocks(5_000).provider), new Date('2026-02-03T04:05:06Z'));
    assert.equal(result.outcome, 'published');
    assert.equal(result.eligibleCount, 2);
    assert.equal(result.minerCount, 3);
    const row = await getLatestWeights(database.db);
    assert.ok(row);
    assert.equal(row.id, result.weightsId);
    assert.equal(row.block_number, 5_000);
    assert.deepEqual(row.weights_u16.uids, [1, 2, 3]);
    assert.equal(
      row.weights_u16.values.reduce((a, b) => a + b, 0),
      65_535,
    );
    assert.equal(row.weights_u16.values[2], 0, 'the ineligible miner gets nothing');
    assert.ok(row.weights['1']! > row.weights['2']!, 'the expert gets the largest weight');
    assert.equal(row.weights['3'], 0);
    assert.deepEqual(row.metadata.eligible_uids, [1, 2]);
    assert.equal(row.metadata.computed_at, '2026-02-03T04:05:06.000Z');
    const snapshot = await getLatestScoreSnapshot(database.db);
    assert.equal(snapshot?.id, result.snapshotId);
    assert.equal(snapshot?.weights_id, row.id);
    assert.equal(snapshot?.reason, null);
    assert.equal(snapshot?.eligible_count, 2);
  });

  test('an unchanged outcome publishes nothing; a change in the same block waits for the next block', async () => {
    await seedPopulation();
    const clock = blocks(7_000);
    assert.equal((await computeAndPublishWeights(deps(clock.provider))).outcome, 'published');

    clock.set(7_001);
    const same = await computeAndPublishWeights(deps(clock.provider));
    assert.equal(same.outcome, 'unchanged');
    assert.equal(same.weightsBlock, 7_000);
    assert.equal(await count('weights'), 1);
    const live = await getLatestScoreSnapshot(database.db);
    assert.equal(live?.weights_id, null);
    assert.equal(live?.reason, null);

    // uid 3 catches up (eligibility changes) in a pass whose block is not after the latest row's.
    await seedResults(database.db, { uid: 3 }, 'a', range(5, 5), () => 1);
    await seedResults(database.db, { uid: 3 }, 'b', range(5, 5), () => 1);
    clock.set(7_000);
    const waiting = await computeAndPublishWeights(deps(clock.provider));
    assert.equal(waiting.outcome, 'deferred');
    assert.match(waiting.reason!, /wait for a block after 7000/);
    assert.equal(waiting.snapshotId, same.snapshotId, 'still the same live snapshot');
    assert.equal(await count('weights'), 1);

    clock.set(7_002);
    const next = await computeAndPublishWeights(deps(clock.provider));
    assert.equal(next.outcome, 'published');
    const row = await getLatestWeights(database.db);
    assert.equal(row?.block_number, 7_002);
    assert.deepEqual(row?.metadata.eligible_uids, [1, 2, 3]);
    // Two publications, each with its snapshot, plus the live one in between.
    assert.equal(await count('weights'), 2);
    assert.equal(await count('score_snapshots'), 3);
  });

  test('after weights, losing every eligible miner keeps them standing and says why', async () => {
    await seedPopulation();
    await computeAndPublishWeights(deps(blocks(9_000).provider));
    await sql`update miners set revision = 'r2'`.execute(database.db);
    const result = await computeAndPublishWeights(deps(blocks(9_001).provider));
    assert.equal(result.outcome, 'no-weights');
    assert.equal(result.weightsBlock, 9_000);
    assert.match(result.reason!, /no eligible miner/);
    assert.equal((await getLatestWeights(database.db))?.block_number, 9_000);
    assert.equal((await getLatestScoreSnapshot(database.db))?.reason, result.reason);
  });

  test('an aborted signal writes nothing', async () => {
    await seedPopulation();
    const controller = new AbortController();
    controller.abort(new Error('lost the lease'));
    await assert.rejects(computeAndPublishWeights(deps(blocks(1).provider), new Date(), controller.signal), /lost the lease/);
    assert.equal(await count('weights'), 0);
    assert.equal(await count('score_snapshots'), 0);
  });

  test('a block provider returning garbage fails the pass clearly', async () => {
    await assert.rejects(computeAndPublishWeights(deps(() => Promise.resolve(-1))), /block provider returned -1/);
    await assert.rejects(computeAndPublishWeights(deps(() => Promise.resolve(1.5))), /not an integer/);
  });

  test('two active rows for one uid: the newest commitment is scored, the other is logged', async () => {
    await seedList(database.db, 'a', range(0, 4));
    await seedMiner(database.db, { uid: 1, hotkey: 'old', committedBlock: 5 });
    await seedMiner(database.db, { uid: 1, hotkey: 'new', committedBlock: 9 });
    await seedResults(database.db, { uid: 1, hotkey: 'new' }, 'a', range(0, 4), () => 1);
    const { logger, lines } = capturingLogger();
    const result = await computeAndPublishWeights(deps(blocks(3).provider, logger));
    assert.equal(result.outcome, 'published');
    assert.equal(result.minerCount, 1);
    assert.ok(lines.some((l) => l.level === 40 && l.hotkey === 'old'));
  });
});

describe('republishing unchanged weights', () => {
  test('with a stable ranking, a new row with the same weights comes at least every EVALPOOL_WEIGHTS_REPUBLISH_BLOCKS', async () => {
    await sql`truncate results, miners, sampling_lists, score_snapshots, weights restart identity cascade`.execute(database.db);
    await seedPopulation();
    // The block clock is driven by hand: a pass every 50 blocks (10 minutes of 12 s blocks).
    let nowMs = 20_000 * 12_000;
    const clock = new BlockClock({ genesisMs: 0, now: () => nowMs });
    const task = createWeightsTask(deps(() => Promise.resolve(clock.currentBlock())));
    const outcomes: string[] = [];
    for (let pass = 0; pass <= 24; pass++) {
      await task.run(new AbortController().signal);
      outcomes.push(task.lastResult()!.outcome);
      nowMs += 50 * 12_000;
    }
    const rows = await database.db
      .selectFrom('weights')
      .select(['block_number', 'weights_u16', 'metadata'])
      .orderBy('block_number')
      .execute();
    // 20000 + 400 is the first pass at least 360 blocks after 20000, and so on.
    assert.deepEqual(
      rows.map((r) => r.block_number),
      [20_000, 20_400, 20_800, 21_200],
    );
    for (const row of rows) {
      assert.deepEqual(row.weights_u16, rows[0]!.weights_u16, 'the same weights every time');
      assert.deepEqual(row.metadata.eligible_uids, [1, 2]);
    }
    assert.deepEqual(
      outcomes.filter((o) => o !== 'unchanged'),
      ['published', 'republished', 'republished', 'republished'],
    );
    // Every row has its snapshot: the API's /v1/scores/{id} of a republished row is its report.
    const snapshots = await database.db.selectFrom('score_snapshots').select('weights_id').where('weights_id', 'is not', null).execute();
    assert.equal(snapshots.length, 4);
  });

  test('a shorter EVALPOOL_WEIGHTS_REPUBLISH_BLOCKS republishes sooner; a change publishes at once, as before', async () => {
    await sql`truncate results, miners, sampling_lists, score_snapshots, weights restart identity cascade`.execute(database.db);
    await seedPopulation();
    const short = testConfig({ EVALPOOL_MIN_COVERAGE: '0.8', EVALPOOL_WEIGHTS_REPUBLISH_BLOCKS: '10' });
    const clock = blocks(500);
    const run = () => computeAndPublishWeights({ ...deps(clock.provider), config: short });
    assert.equal((await run()).outcome, 'published');
    clock.set(509);
    assert.equal((await run()).outcome, 'unchanged');
    clock.set(510);
    const again = await run();
    assert.equal(again.outcome, 'republished');
    assert.equal(again.weightsBlock, 510);
    await seedResults(database.db, { uid: 3 }, 'a', range(5, 5), () => 1);
    await seedResults(database.db, { uid: 3 }, 'b', range(5, 5), () => 1);
    clock.set(511);
    assert.equal((await run()).outcome, 'published');
  });
});

describe('createWeightsTask', () => {
  test('runs every EVALPOOL_WEIGHTS_INTERVAL_SECONDS and remembers its last result', async () => {
    await sql`truncate results, miners, sampling_lists, score_snapshots, weights restart identity cascade`.execute(database.db);
    const clock = new BlockClock({ genesisMs: 0, now: () => 1_200_000 });
    const task = createWeightsTask(deps(() => Promise.resolve(clock.currentBlock())));
    assert.equal(task.name, 'weights');
    assert.equal(task.intervalMs, 30_000);
    assert.equal(task.lastResult(), null);
    await task.run(new AbortController().signal);
    assert.equal(task.lastResult()?.outcome, 'no-weights');
    assert.equal(task.lastResult()?.blockNumber, 100);
  });
});

import assert from 'node:assert/strict';
import { beforeEach, describe, test } from 'node:test';
import { sql } from 'kysely';
import { aggregateCurrentListResults, getLastResults } from '../../../src/db/tables/results.ts';
import { getScoredListSizes } from '../../../src/db/tables/sampling-lists.ts';
import { range, seedList, seedMiner, seedResults } from '../../helpers/seed.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const database = useTestDatabase();

async function reset(): Promise<void> {
  await sql`truncate results, miners, sampling_lists cascade`.execute(database.db);
}

const byKey = (rows: Awaited<ReturnType<typeof aggregateCurrentListResults>>) =>
  Object.fromEntries(rows.map((r) => [`${r.uid}/${r.envId}`, { n: r.n, sum: r.sum, sumSq: r.sumSq }]));

describe('aggregateCurrentListResults', () => {
  beforeEach(reset);

  test('counts only results whose task id is in the current list', async () => {
    await seedMiner(database.db, { uid: 1 });
    await seedList(database.db, 'a', [10, 11, 12, 13]);
    // 10, 11, 12 in the list; 5 and 99 were rotated out (or never in): they do not count.
    await seedResults(database.db, { uid: 1 }, 'a', [10, 11, 12, 5, 99], [1, 0, 1, 1, 1]);
    assert.deepEqual(byKey(await aggregateCurrentListResults(database.db)), { '1/a': { n: 3, sum: 2, sumSq: 2 } });
  });

  test('sums fractional scores and their squares', async () => {
    await seedMiner(database.db, { uid: 2 });
    await seedList(database.db, 'a', [1, 2, 3]);
    await seedResults(database.db, { uid: 2 }, 'a', [1, 2, 3], [0.5, 0.25, 1]);
    assert.deepEqual(byKey(await aggregateCurrentListResults(database.db)), { '2/a': { n: 3, sum: 1.75, sumSq: 0.25 + 0.0625 + 1 } });
  });

  test('only active miners, and only their current revision', async () => {
    await seedMiner(database.db, { uid: 1, revision: 'old', active: false });
    await seedMiner(database.db, { uid: 1, revision: 'new', active: true });
    await seedMiner(database.db, { uid: 2, active: false });
    await seedList(database.db, 'a', range(0, 10));
    await seedResults(database.db, { uid: 1, revision: 'old' }, 'a', range(0, 10), () => 1);
    await seedResults(database.db, { uid: 1, revision: 'new' }, 'a', range(0, 4), () => 0);
    await seedResults(database.db, { uid: 2 }, 'a', range(0, 10), () => 1);
    // A result stored under a hotkey that is not (or no longer) a miner counts for nobody.
    await seedResults(database.db, { uid: 3, hotkey: 'ghost' }, 'a', range(0, 10), () => 1);
    assert.deepEqual(byKey(await aggregateCurrentListResults(database.db)), { '1/a': { n: 4, sum: 0, sumSq: 0 } });
  });

  test('unscored envs do not count; one row per miner and scored env', async () => {
    await seedMiner(database.db, { uid: 1 });
    await seedMiner(database.db, { uid: 2 });
    await seedList(database.db, 'a', range(0, 5));
    await seedList(database.db, 'b', range(100, 5));
    await seedList(database.db, 'practice', range(0, 5), { scored: false });
    await seedResults(database.db, { uid: 1 }, 'a', range(0, 5), [1, 1, 0, 0, 0]);
    await seedResults(database.db, { uid: 1 }, 'b', range(100, 2), [1, 1]);
    await seedResults(database.db, { uid: 2 }, 'b', range(100, 5), () => 1);
    await seedResults(database.db, { uid: 1 }, 'practice', range(0, 5), () => 1);
    // Same task ids in another env do not leak across envs.
    await seedResults(database.db, { uid: 2 }, 'a', range(100, 5), () => 1);
    assert.deepEqual(byKey(await aggregateCurrentListResults(database.db)), {
      '1/a': { n: 2 + 3, sum: 2, sumSq: 2 },
      '1/b': { n: 2, sum: 2, sumSq: 2 },
      '2/b': { n: 5, sum: 5, sumSq: 5 },
    });
  });

  test('a rotation changes what counts without touching results', async () => {
    await seedMiner(database.db, { uid: 1 });
    await seedList(database.db, 'a', [1, 2, 3, 4]);
    await seedResults(database.db, { uid: 1 }, 'a', [1, 2, 3, 4], [1, 1, 1, 1]);
    assert.equal((await aggregateCurrentListResults(database.db))[0]?.n, 4);
    await seedList(database.db, 'a', [3, 4, 50, 51]);
    assert.deepEqual(byKey(await aggregateCurrentListResults(database.db)), { '1/a': { n: 2, sum: 2, sumSq: 2 } });
  });

  test('a duplicated id in a list is counted once, and |L_e| counts distinct ids', async () => {
    await seedMiner(database.db, { uid: 1 });
    await seedList(database.db, 'a', [7, 7, 8]);
    await seedResults(database.db, { uid: 1 }, 'a', [7, 8], [1, 0]);
    assert.deepEqual(byKey(await aggregateCurrentListResults(database.db)), { '1/a': { n: 2, sum: 1, sumSq: 1 } });
    assert.deepEqual(await getScoredListSizes(database.db), [{ envId: 'a', listSize: 2 }]);
  });

  test('results are read with an index-only scan of the covering index', async () => {
    // On a small table the planner rightly prefers other scans; forbid them to check the index serves the join.
    await database.db.transaction().execute(async (trx) => {
      await sql`set local enable_seqscan = off`.execute(trx);
      await sql`set local enable_bitmapscan = off`.execute(trx);
      const forced = await sql<{ 'QUERY PLAN': string }>`
        explain select r.hotkey, r.revision, r.score from results r where r.env_id = 'a' and r.task_id = 1`.execute(trx);
      assert.match(forced.rows.map((r) => r['QUERY PLAN']).join('\n'), /Index Only Scan using results_scoring/);
    });
  });
});

describe('getLastResults', () => {
  beforeEach(reset);

  test('the newest result per hotkey; hotkeys without results are absent', async () => {
    await seedResults(database.db, { uid: 1 }, 'a', [1], [0]);
    await seedResults(database.db, { uid: 1 }, 'b', [2], [1]);
    await sql`update results set created_at = now() - interval '1 hour' where env_id = 'a'`.execute(database.db);
    const last = await getLastResults(database.db, ['hk1', 'hk2']);
    assert.equal(last.size, 1);
    assert.equal(last.get('hk1')?.envId, 'b');
    assert.equal(last.get('hk1')?.success, true);
    assert.equal((await getLastResults(database.db, [])).size, 0);
  });
});

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { getActiveMiners } from '../../../src/db/tables/miners.ts';
import { identityResultsOn, listedResultsOfActiveMiners, listedResultsQuery } from '../../../src/db/tables/results.ts';
import { ResultIndex } from '../../../src/pool/result-index.ts';
import { range, seedMiner, seedResults } from '../../helpers/seed.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const database = useTestDatabase();

// The current list of env a: ids 0–99. The history: 20,000 results of the active identities on
// ids that rotated out long ago (1,000,000+), and a retired revision on the list and off it.
const LISTED = range(0, 100);
const HISTORY = range(1_000_000, 10_000);
const listed = { envIds: LISTED.map(() => 'a'), taskIds: LISTED };
const lists = [{ env_id: 'a', task_ids: LISTED, version: 1 }];
let active1 = 0;
let active2 = 0;

/** Index tuples of `results` the query read, from EXPLAIN ANALYZE (rows × loops of its scans). */
async function resultsRowsRead(): Promise<number> {
  const plan = (await sql<{ 'QUERY PLAN': unknown }>`explain (analyze, format json) ${listedResultsQuery(listed)}`.execute(database.db))
    .rows[0]!['QUERY PLAN'];
  let read = 0;
  const walk = (node: Record<string, unknown>): void => {
    if (node['Relation Name'] === 'results')
      read +=
        Number(node['Actual Rows']) * Number(node['Actual Loops']) +
        Number(node['Rows Removed by Filter'] ?? 0) * Number(node['Actual Loops']);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((plan as { Plan: Record<string, unknown> }[])[0]!.Plan);
  return read;
}

describe('reads of the results on the current lists', () => {
  before(async () => {
    active1 = await seedMiner(database.db, { uid: 1, hotkey: 'hk1', revision: 'new' });
    await seedMiner(database.db, { uid: 1, hotkey: 'hk1', revision: 'old', active: false });
    active2 = await seedMiner(database.db, { uid: 2, hotkey: 'hk2', revision: 'r1' });
    await seedResults(database.db, { uid: 1, hotkey: 'hk1', revision: 'new' }, 'a', [...range(0, 60), ...HISTORY], () => 1);
    await seedResults(database.db, { uid: 1, hotkey: 'hk1', revision: 'old' }, 'a', [...range(50, 50), ...HISTORY], () => 1);
    await seedResults(database.db, { uid: 2, hotkey: 'hk2', revision: 'r1' }, 'a', [5, ...range(2_000_000, 100)], () => 0);
    await sql`vacuum analyze results`.execute(database.db);
  });

  test('each listed id names the active miners with a result on it, nothing of retired revisions or rotated-out ids', async () => {
    const rows = await listedResultsOfActiveMiners(database.db, listed);
    const byId = new Map(rows.map((r) => [r.task_id, [...r.miner_ids].sort((x, y) => x - y)]));
    assert.deepEqual(
      [...byId.keys()].sort((x, y) => x - y),
      range(0, 60),
    );
    assert.deepEqual(
      byId.get(5),
      [active1, active2].sort((x, y) => x - y),
    );
    assert.deepEqual(byId.get(59), [active1]);
    assert.ok(rows.every((r) => r.env_id === 'a'));
  });

  test('the read is bounded by the lists: it reads no result of the 20,000 on rotated-out ids', async () => {
    // Results on listed ids: 60 + 50 (retired revision) + 1. Each probe may touch one more.
    const read = await resultsRowsRead();
    assert.ok(read <= 111 + LISTED.length, `read ${read} index rows of results`);
  });

  test('a new identity: its results on the listed ids, grouped per env', async () => {
    const groups = await identityResultsOn(database.db, listed, { hotkeys: ['hk1', 'hk1'], revisions: ['new', 'old'] });
    assert.deepEqual(
      groups.map((g) => ({ ...g, task_ids: [...g.task_ids].sort((x, y) => x - y) })),
      [{ hotkey: 'hk1', revision: 'new', env_id: 'a', task_ids: range(0, 60) }],
    );
  });

  test('the result index learns exactly the listed results of the active identities', async () => {
    const index = new ResultIndex();
    await index.sync(database.db, await getActiveMiners(database.db), lists);
    assert.equal(index.count('hk1', 'new', 'a'), 60);
    assert.equal(index.count('hk1', 'old', 'a'), 0);
    assert.equal(index.count('hk2', 'r1', 'a'), 1);
    assert.equal(index.has('hk2', 'r1', 'a', 5), true);
    assert.deepEqual(index.missing('hk1', 'new', 'a'), range(60, 40));
  });
});

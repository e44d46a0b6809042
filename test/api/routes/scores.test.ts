import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ScoresBody } from '../../../src/api/scores-body.ts';
import { computeAndPublishWeights } from '../../../src/scheduler/weights-task.ts';
import { range, seedList, seedMiner, seedResults } from '../../helpers/seed.ts';
import { getJson, testApp } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';

const database = useTestDatabase();
const pass = (block: number) =>
  computeAndPublishWeights({ db: database.db, config: testConfig(), logger: testLogger(), block: () => Promise.resolve(block) });

describe('GET /v1/scores/*', () => {
  test('404 before any scoring pass; bad ids are 400', async () => {
    const app = testApp(database.db);
    const latest = await getJson(app, '/v1/scores/latest');
    assert.equal(latest.status, 404);
    assert.match(String(latest.body.detail), /no scoring pass has run yet/);
    assert.equal((await getJson(app, '/v1/scores/1')).status, 404);
    for (const raw of ['0', 'abc', '-3', '2.5', '99999999999999999999']) {
      const { status, body } = await getJson(app, `/v1/scores/${raw}`);
      assert.equal(status, 400, raw);
      assert.match(String(body.detail), /^id must be/);
    }
  });

  test('per miner and env: success rate, n, coverage, threshold, points, eligibility, frontier', async () => {
    await seedList(database.db, 'a', range(0, 10));
    await seedList(database.db, 'b', range(0, 10));
    await seedMiner(database.db, { uid: 1, committedBlock: 1 });
    await seedMiner(database.db, { uid: 2, committedBlock: 2 });
    await seedMiner(database.db, { uid: 3, committedBlock: 3 });
    for (const env of ['a', 'b']) {
      await seedResults(database.db, { uid: 1 }, env, range(0, 10), (_, i) => (i < 5 ? 1 : 0));
      await seedResults(database.db, { uid: 2 }, env, range(0, 10), () => 1);
      await seedResults(database.db, { uid: 3 }, env, range(0, 3), () => 1);
    }
    const result = await pass(77);
    assert.equal(result.outcome, 'published');

    const app = testApp(database.db);
    const { status, body } = await getJson<ScoresBody>(app, '/v1/scores/latest');
    assert.equal(status, 200);
    assert.equal(body.id, result.snapshotId);
    assert.equal(body.weights_id, result.weightsId);
    assert.equal(body.block_number, 77);
    assert.equal(body.eligible_count, 2);
    assert.equal(body.reason, null);
    assert.deepEqual(
      body.envs.map((e) => e.env_id),
      ['a', 'b'],
    );
    assert.deepEqual(body.frontier, [2]);
    assert.equal(body.params.min_coverage, 0.8);

    const [m1, m2, m3] = body.miners;
    assert.deepEqual(
      body.miners.map((m) => m.uid),
      [1, 2, 3],
    );
    assert.deepEqual(m1!.envs.a, { n: 10, coverage: 1, eligible: true, success_rate: 0.5, std: 0.5, threshold: m1!.envs.a!.threshold });
    assert.ok(m1!.envs.a.threshold! > 0.5 && m1!.envs.a.threshold! <= 0.6);
    // uid 2 (later, perfect) beats uid 1's threshold everywhere: it wins all 3 subsets (1 + 1 + 2 points).
    assert.equal(m2!.points, 4);
    assert.equal(m2!.subsets_won, 3);
    assert.equal(m2!.on_frontier, true);
    assert.equal(m1!.points, 0);
    assert.ok(m2!.weight > m1!.weight);
    assert.equal((m1!.weight_u16 ?? 0) + (m2!.weight_u16 ?? 0) + (m3!.weight_u16 ?? 0), 65_535);
    assert.equal(m3!.eligible, false);
    assert.equal(m3!.envs.b!.coverage, 0.3);
    assert.equal(m3!.weight, 0);

    const byId = await getJson<ScoresBody>(app, `/v1/scores/${body.id}`);
    assert.deepEqual(byId.body, body);
  });

  test('the live snapshot shows the newest pass, refreshed in place', async () => {
    const app = testApp(database.db, { tuning: { cacheRefreshMs: 0 } });
    const published = (await getJson<ScoresBody>(app, '/v1/scores/latest')).body;
    const unchanged = await pass(78);
    assert.equal(unchanged.outcome, 'unchanged');
    let body = published;
    for (let i = 0; i < 50 && body.id === published.id; i++) {
      body = (await getJson<ScoresBody>(app, '/v1/scores/latest')).body;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(body.id, unchanged.snapshotId);
    assert.equal(body.weights_id, null);
    assert.equal(body.block_number, 78);

    await seedResults(database.db, { uid: 3 }, 'a', [3], [0]);
    const again = await pass(79);
    assert.equal(again.snapshotId, unchanged.snapshotId);
    for (let i = 0; i < 50 && body.block_number !== 79; i++) {
      body = (await getJson<ScoresBody>(app, '/v1/scores/latest')).body;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(body.block_number, 79, 'an in-place update is seen (the version includes xmin)');
    assert.equal(body.miners[2]!.envs.a!.n, 4);
  });
});

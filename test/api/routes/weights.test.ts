import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { computeAndPublishWeights, type WeightsTaskDeps } from '../../../src/scheduler/weights-task.ts';
import { range, seedList, seedMiner, seedResults } from '../../helpers/seed.ts';
import { getJson, testApp } from '../../helpers/test-app.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';
import { testLogger } from '../../helpers/test-logger.ts';
import { assertValidatorWeightsFormat } from '../../helpers/validator-format.ts';

const database = useTestDatabase();
const config = testConfig();

function taskDeps(block: number): WeightsTaskDeps {
  return { db: database.db, config, logger: testLogger(), block: () => Promise.resolve(block) };
}

/** uid 4 solves everything, uid 7 half; both fully covered on two envs. */
async function seed(): Promise<void> {
  for (const env of ['env-a', 'env-b']) await seedList(database.db, env, range(0, 10));
  await seedMiner(database.db, { uid: 4, committedBlock: 20 });
  await seedMiner(database.db, { uid: 7, committedBlock: 10 });
  for (const env of ['env-a', 'env-b']) {
    await seedResults(database.db, { uid: 4 }, env, range(0, 10), () => 1);
    await seedResults(database.db, { uid: 7 }, env, range(0, 10), (_, i) => i % 2);
  }
}

const BAD_BLOCKS: readonly [string, RegExp][] = [
  ['abc', /block must be a whole number written in digits.*got "abc"/],
  ['-1', /whole number.*got "-1"/],
  ['1.5', /whole number.*got "1.5"/],
  ['1e3', /whole number/],
  ['0x10', /whole number/],
  ['%20', /whole number/],
  ['99999999999999999999', /block must be at most 9007199254740991, got "99999999999999999999"/],
  ['9007199254740992', /at most 9007199254740991/],
];

describe('GET /v1/weights/*', () => {
  test('before any weights: 404 with a clear message, for latest and for a block', async () => {
    const app = testApp(database.db);
    const latest = await getJson(app, '/v1/weights/latest');
    assert.equal(latest.status, 404);
    assert.equal(latest.body.error, 'not_found');
    assert.match(String(latest.body.detail), /no weights have been published yet/);
    const byBlock = await getJson(app, '/v1/weights/123');
    assert.equal(byBlock.status, 404);
    assert.equal(byBlock.body.detail, 'no weights were published at block 123');
  });

  test('bad block parameters answer 400 with a message, never 500', async () => {
    const app = testApp(database.db);
    for (const [raw, message] of BAD_BLOCKS) {
      const { status, body } = await getJson(app, `/v1/weights/${raw}`);
      assert.equal(status, 400, `block ${raw}`);
      assert.equal(body.error, 'invalid_parameter');
      assert.match(String(body.detail), message, `block ${raw}`);
    }
  });

  describe('after a publication', () => {
    before(async () => {
      await seed();
      const result = await computeAndPublishWeights(taskDeps(4_242_000), new Date('2026-03-04T05:06:07.089Z'));
      assert.equal(result.outcome, 'published');
    });

    test("latest matches the subnet validator's format field by field", async () => {
      const app = testApp(database.db);
      const { status, body, contentType } = await getJson<Record<string, unknown>>(app, '/v1/weights/latest');
      assert.equal(status, 200);
      assert.match(contentType ?? '', /^application\/json/);
      const parsed = assertValidatorWeightsFormat(body);
      assert.equal(parsed.blockNumber, 4_242_000);
      assert.deepEqual(Object.keys(body.weights as object), ['4', '7'], 'weights keys in uid order');
      assert.deepEqual(parsed.uids, [4, 7]);
      assert.ok(parsed.weights.get(4)! > parsed.weights.get(7)!, 'the better miner has more weight');
      assert.ok(parsed.valuesU16[0]! > parsed.valuesU16[1]!);

      // metadata: an object (the client defaults it to {}).
      const metadata = body.metadata as Record<string, unknown>;
      assert.equal(typeof metadata, 'object');
      assert.equal(metadata.n_miners_evaluated, 2);
      assert.equal(metadata.n_environments, 2);
      assert.deepEqual(metadata.eligible_uids, [4, 7]);
      assert.equal(metadata.computed_at, '2026-03-04T05:06:07.089Z');
    });

    test('the same weights by block; a block without weights is 404', async () => {
      const app = testApp(database.db);
      const latest = await (await app.request('/v1/weights/latest')).text();
      const byBlock = await app.request('/v1/weights/4242000');
      assert.equal(byBlock.status, 200);
      assert.equal(await byBlock.text(), latest);
      // Served from the in-memory copy the second time, identical.
      assert.equal(await (await app.request('/v1/weights/4242000')).text(), latest);
      assert.equal((await app.request('/v1/weights/4241999')).status, 404);
    });

    test('a new publication reaches latest without restarting the API', async () => {
      const app = testApp(database.db, { tuning: { cacheRefreshMs: 0 } });
      const first = await getJson(app, '/v1/weights/latest');
      assert.equal(first.body.block_number, 4_242_000);
      await seedMiner(database.db, { uid: 9, committedBlock: 5 });
      for (const env of ['env-a', 'env-b']) await seedResults(database.db, { uid: 9 }, env, range(0, 10), () => 0);
      assert.equal((await computeAndPublishWeights(taskDeps(4_242_010))).outcome, 'published');
      // Requests are answered from memory while a background probe sees the new row.
      let seen: unknown;
      for (let i = 0; i < 50 && seen !== 4_242_010; i++) {
        seen = (await getJson(app, '/v1/weights/latest')).body.block_number;
        await new Promise((resolve) => setImmediate(resolve));
      }
      assert.equal(seen, 4_242_010);
      assert.equal((await getJson(app, '/v1/weights/4242000')).status, 200, 'past blocks stay available');
    });
  });
});

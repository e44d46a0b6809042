// Issue 5, end to end: serve + inline workers + three demo miners on the built-in envs. Weights
// appear without any manual step, the expert gets the largest weight, the answer is in the
// validators' format, and a miner whose endpoint stops before coverage publishes nothing.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { assertValidatorWeightsFormat } from '../helpers/validator-format.ts';
import { STATE_TIMEOUT_MS, waitFor } from '../helpers/wait-for.ts';
import { type RunningSystem, startSystem } from './system-fixture.ts';

const redis = useTestRedis();

async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('rolling weights, end to end', () => {
  const open: { system?: RunningSystem; database?: TestDatabase }[] = [];
  after(async () => {
    for (const o of open) {
      await o.system?.stop();
      await o.database?.drop();
    }
  });

  test('expert, noisy and random miners: weights appear by themselves and favour the expert', async () => {
    const database = await createTestDatabase();
    const entry: (typeof open)[number] = { database };
    open.push(entry);
    const system = await startSystem({
      databaseUrl: database.url,
      prefix: `${redis.prefix}-a`,
      policies: ['expert', 'noisy', 'random'],
      listSize: 6,
    });
    entry.system = system;
    const url = system.serve.url;

    // Weights are published as soon as one miner is eligible; the slower miners join later.
    // Wait for the weights in which all three have full coverage, then compare them.
    const everyone = [...system.miners.values()].map((m) => m.uid);
    const latest = await waitFor(
      'published weights with every miner eligible',
      async () => {
        // A request the loaded machine drops ("fetch failed") is one more poll, not a failure.
        const answer = await getJson(`${url}/v1/weights/latest`).catch(() => undefined);
        const eligible = (answer?.body.metadata as { eligible_uids?: number[] } | undefined)?.eligible_uids ?? [];
        return answer?.status === 200 && everyone.every((uid) => eligible.includes(uid)) ? answer.body : undefined;
      },
      STATE_TIMEOUT_MS,
      250,
    );
    const parsed = assertValidatorWeightsFormat(latest);
    const expertUid = system.miners.get('expert')!.uid;
    const ranked = [...parsed.weights].sort((a, b) => b[1] - a[1]);
    assert.equal(ranked[0]![0], expertUid, `the expert (uid ${expertUid}) has the largest weight: ${JSON.stringify(ranked)}`);
    assert.deepEqual(
      parsed.uids,
      [...parsed.uids].sort((a, b) => a - b),
    );

    const byBlock = await getJson(`${url}/v1/weights/${parsed.blockNumber}`);
    assert.equal(byBlock.status, 200);
    assert.deepEqual(byBlock.body, latest);

    const status = await getJson(`${url}/v1/status`);
    assert.ok((status.body.scheduler as { leader_id: string | null }).leader_id, 'a leader is reported');
    assert.equal(status.body.why_no_weights, null);
  });

  test('a miner whose endpoint stops before coverage: no weights from partial data, and the status says why', async () => {
    const database = await createTestDatabase();
    const entry: (typeof open)[number] = { database };
    open.push(entry);
    const system = await startSystem({
      databaseUrl: database.url,
      prefix: `${redis.prefix}-b`,
      policies: ['expert'],
      listSize: 8,
      // Slow enough that the endpoint can be stopped after the first results, before coverage.
      variables: { EVALPOOL_SLOTS_DEFAULT: '1', EVALPOOL_SLOTS_MIN: '1', EVALPOOL_WORKER_CONCURRENCY: '1' },
    });
    entry.system = system;
    const { miner } = system.miners.get('expert')!;
    miner.setMisbehaviour({ mode: 'slow', on: 'reset', delayMs: 300 });
    const db = system.serve.db;
    await waitFor(
      'a first result',
      async () => ((await db.selectFrom('results').select('id').executeTakeFirst()) ? true : undefined),
      STATE_TIMEOUT_MS,
      250,
    );
    await miner.close();
    const resultsWhenStopped = (await db.selectFrom('results').select('id').execute()).length;
    assert.ok(resultsWhenStopped < 0.8 * 8 * 3, `stopped at partial coverage (${resultsWhenStopped} of 24)`);

    // Several weights intervals pass with a scoring pass each; none may publish.
    const why = await waitFor(
      'a scoring pass that explains the missing weights',
      async () => {
        const status = await getJson(`${system.serve.url}/v1/status`);
        const last = status.body.last_scoring as { published: boolean } | null;
        return last && typeof status.body.why_no_weights === 'string' ? status.body.why_no_weights : undefined;
      },
      STATE_TIMEOUT_MS,
      250,
    );
    assert.match(why, /eligib|coverage/i);
    // More weights intervals pass: none may publish (the absence is what is asserted).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    assert.equal((await getJson(`${system.serve.url}/v1/weights/latest`)).status, 404);
    assert.equal((await db.selectFrom('weights').select('id').execute()).length, 0);
  });
});

// Issue 12, the miner side: a miner written like the subnet's template keeps ONE global state per
// `/reset`. In a live `serve` with several envs and slots > 1 it must get one episode at a time
// (no episode answered from another's state), while a miner that declares
// `max_concurrent_episodes: 4` on `/health` gets up to 4 at once.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startTemplateMiner, type TemplateMiner } from '../miners/template-miner.ts';
import { E2E_ENVS, type RunningSystem, startSystem } from './system-fixture.ts';

const redis = useTestRedis();
const LIST_SIZE = 6;

describe('template-style miners in a live serve', () => {
  const open: { system?: RunningSystem; database?: TestDatabase; miners: TemplateMiner[] } = { miners: [] };
  after(async () => {
    await open.system?.stop();
    await Promise.all(open.miners.map((m) => m.close()));
    await open.database?.drop();
  });

  test('a one-state miner is never sent two episodes at once; one that declares 4 gets 4 at once', async () => {
    open.database = await createTestDatabase();
    const template = await startTemplateMiner();
    // Think time keeps its episodes long next to the pickup of a job, so that 4 of them overlap.
    const declaring = await startTemplateMiner({ declare: 4, actDelayMs: 40 });
    open.miners.push(template, declaring);
    open.system = await startSystem({
      databaseUrl: open.database.url,
      prefix: redis.prefix,
      policies: [],
      listSize: LIST_SIZE,
      extraMiners: [
        { hotkey: 'template', endpoint: template.url },
        { hotkey: 'template-4', endpoint: declaring.url },
      ],
      // Slots and workers to spare: only the declarations keep the episodes apart.
      variables: { EVALPOOL_SLOTS_DEFAULT: '6', EVALPOOL_INLINE_WORKERS: '4', EVALPOOL_MAX_ENV_SHARE: '1' },
    });
    const db = open.database.db;
    const expected = E2E_ENVS.length * LIST_SIZE;
    const resultsOf = async (hotkey: string): Promise<number> =>
      Number(
        (
          await db
            .selectFrom('results')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('hotkey', '=', hotkey)
            .executeTakeFirstOrThrow()
        ).n,
      );
    await waitFor('4 episodes at once at the declaring miner', () => (declaring.maxConcurrency() >= 4 ? true : undefined), 120_000, 100);
    await waitFor(
      'every task of both miners evaluated',
      async () => ((await resultsOf('template')) === expected && (await resultsOf('template-4')) === expected ? true : undefined),
      240_000,
      250,
    );

    for (const miner of [template, declaring]) {
      assert.equal(miner.counts.refused, 0, 'no request the template’s models refuse (nothing extra inside obs)');
      assert.ok(miner.episodes.length >= expected);
    }
    assert.deepEqual([...template.contaminated], [], 'zero cross-contaminated episodes');
    assert.deepEqual([...declaring.contaminated], []);
    assert.equal(template.maxConcurrency(), 1, 'one episode at a time');
    assert.equal(declaring.maxConcurrency(), 4, 'up to its declaration, never its 6 slots');
    // Every episode was played (the template's policy is the expert): none failed on another env's keys.
    const failed = await db
      .selectFrom('attempts')
      .select(['hotkey', 'error_message'])
      .where('error_class', '!=', 'success')
      .where('hotkey', 'in', ['template', 'template-4'])
      .execute();
    assert.deepEqual(
      failed.filter((f) => /key|action/i.test(f.error_message ?? '')),
      [],
    );
  });
});

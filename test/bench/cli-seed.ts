import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { insertSlotHistory } from '../../src/db/tables/slot-history.ts';
import { computeAndPublishWeights } from '../../src/scheduler/weights-task.ts';
import { range, seedActiveMiners, seedList, seedResults, seedSlots } from '../helpers/seed.ts';
import { testConfig } from '../helpers/test-config.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { currentLists, ManualConsumer, openPoolInTerm, poolConfig } from '../pool/pool-fixture.ts';

const ENVS = ['env-a', 'env-b'];
const MINERS = range(1, 4).map((uid) => ({ uid, hotkey: `hk${uid}`, revision: 'r1' }));

/**
 * What the CLI bench's read-only commands show, written the way the service writes it: sampling
 * lists, active miners with results and a published weights row, slots (one pinned, one paused)
 * with a history, and a task pool in Redis with pending, assigned and paused tasks (a real
 * TaskPool top-up and a real BullMQ consumer).
 */
export async function seedCliBench(db: Kysely<Database>, redisUrl: string, prefix: string): Promise<void> {
  // env-a is scored and mostly evaluated (coverage 10/12: the miners are eligible, weights get
  // published); env-b is not scored yet and has every task still to do.
  await seedList(db, 'env-a', range(0, 12));
  await seedList(db, 'env-b', range(0, 8), { scored: false });
  await seedActiveMiners(db, MINERS);
  for (const m of MINERS) {
    await seedResults(db, m, 'env-a', range(0, 10), (_, i) => (i < m.uid * 2 ? 1 : 0));
    await seedSlots(db, m.hotkey, 2, { pinned: m.uid === 2 ? 3 : null, scheduling_paused: m.uid === 4 });
    for (const [i, reason] of (['new', 'health', 'pin'] as const).entries()) {
      await insertSlotHistory(db, {
        hotkey: m.hotkey,
        oldSlots: i === 0 ? null : i + 1,
        newSlots: i + 2,
        reason,
        at: new Date(Date.now() - (3 - i) * 60_000),
        health: 0.9,
        samples: 20,
      });
    }
  }
  await computeAndPublishWeights({ db, config: testConfig(), logger: testLogger(), block: () => Promise.resolve(1000) });

  const config = poolConfig(prefix, { EVALPOOL_MAX_ENV_SHARE: '1' });
  const { pool } = await openPoolInTerm(redisUrl, prefix, db, config);
  const consumer = ManualConsumer.open(redisUrl, prefix, config);
  try {
    await pool.topUp(await currentLists(db));
    // Per env: two tasks failed for good (paused), one taken (assigned), the rest pending.
    for (const env of ENVS) {
      for (let n = 0; n < 2; n++) {
        const taken = await consumer.take(env);
        if (taken) await consumer.fail(taken);
      }
      await consumer.take(env);
    }
  } finally {
    await consumer.close();
    await pool.close();
  }
}

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { publishCircuitState } from '../../src/pool/circuit-keys.ts';
import { getPoolStats } from '../../src/pool/pool-stats.ts';
import type { TaskPool } from '../../src/pool/task-pool.ts';
import { apiReaders } from '../../src/service/api-readers.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { currentLists, ManualConsumer, openPoolInTerm, poolConfig, putList } from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

describe('pool stats for the API', () => {
  let pool: TaskPool | undefined;
  let consumer: ManualConsumer | undefined;
  after(async () => {
    await consumer?.close();
    await pool?.close();
  });

  test('counts per state per env and per miner, slots and in flight per miner, last rotation per env', async () => {
    const rotated = new Date('2026-03-01T12:00:00Z');
    await putList(database.db, { env_id: 'env-a', task_ids: [1, 2, 3, 4], version: 3, last_rotated_at: rotated });
    await putList(database.db, { env_id: 'env-b', task_ids: [5, 6, 7, 8] });
    await seedActiveMiners(database.db, [
      { uid: 4, hotkey: 'hk4', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk4', 2, { pinned: 3 });
    await seedSlots(database.db, 'hk2', 2, { scheduling_paused: true });
    const config = poolConfig(redisHandle.prefix, { EVALPOOL_MAX_ENV_SHARE: '1' });
    ({ pool } = await openPoolInTerm(redisHandle.url, redisHandle.prefix, database.db, config));
    consumer = ManualConsumer.open(redisHandle.url, redisHandle.prefix, config);
    await pool.topUp(await currentLists(database.db)); // hk4: 3 tasks (pinned); hk2 paused
    await consumer.take('env-a'); // one assigned
    const failed = await consumer.take('env-a');
    await consumer.fail(failed!); // one paused

    const stats = await getPoolStats({
      redis: redisHandle.redis,
      prefix: redisHandle.prefix,
      db: database.db,
      defaultSlots: config.slots.default,
    });
    assert.deepEqual(stats.totals, { pending: 1, assigned: 1, paused: 1 });
    assert.deepEqual(
      stats.miners.map((m) => m.hotkey),
      ['hk2', 'hk4'],
      'ordered by uid',
    );
    const hk4 = stats.miners.find((m) => m.hotkey === 'hk4')!;
    assert.deepEqual(
      {
        pending: hk4.pending,
        assigned: hk4.assigned,
        paused: hk4.paused,
        inFlight: hk4.inFlight,
        slots: hk4.slots,
        pinned: hk4.pinned,
        uid: hk4.uid,
      },
      { pending: 1, assigned: 1, paused: 1, inFlight: 2, slots: 3, pinned: true, uid: 4 },
    );
    assert.equal(stats.miners.find((m) => m.hotkey === 'hk2')!.schedulingPaused, true);
    const envA = stats.envs.find((e) => e.env === 'env-a')!;
    assert.equal(envA.lastRotatedAt, rotated.toISOString());
    assert.equal(envA.listVersion, 3);
    assert.deepEqual([envA.pending, envA.assigned, envA.paused], [0, 1, 1]);
    assert.equal(JSON.stringify(stats).includes('"taskId"'), false, 'no task id is exposed');
  });

  test("an open circuit's probe time reaches the API's circuit reader (the dashboard's 'probe in …')", async () => {
    const config = poolConfig(redisHandle.prefix);
    const until = Date.now() + 120_000;
    await publishCircuitState(redisHandle.redis, redisHandle.prefix, 'hk4', until);
    const read = () =>
      getPoolStats({ redis: redisHandle.redis, prefix: redisHandle.prefix, db: database.db, defaultSlots: config.slots.default });
    const stats = await read();
    const hk4 = stats.miners.find((m) => m.hotkey === 'hk4')!;
    assert.equal(hk4.circuitOpen, true);
    assert.equal(hk4.circuitRetryAt, Math.ceil(until));
    assert.equal(stats.miners.find((m) => m.hotkey === 'hk2')!.circuitRetryAt, null);
    const circuits = await apiReaders(config, redisHandle.redis, read).circuits!();
    assert.deepEqual(circuits.get('hk4'), { state: 'open', retryAt: new Date(Math.ceil(until)) });
    assert.equal(circuits.has('hk2'), false);
  });
});

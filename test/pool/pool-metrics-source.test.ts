import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { publishCircuitState } from '../../src/pool/circuit-keys.ts';
import { poolMetricsSource } from '../../src/pool/pool-metrics-source.ts';
import { sharedPoolStats } from '../../src/pool/shared-pool-stats.ts';
import { createMetrics, Registry } from '../../src/runtime/metrics.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { parsePrometheusText, samplesOf, valueOf } from '../helpers/prometheus-text.ts';
import { seedActiveMiners, seedSlots } from '../helpers/seed.ts';
import { makeTask, TestQueues } from '../helpers/task-jobs.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { putList } from './pool-fixture.ts';

const database = useTestDatabase();
const redisHandle = useTestRedis();

describe('the pool as scrape-time metrics', () => {
  let queues: TestQueues;
  before(async () => {
    const config = testConfig({ EVALPOOL_QUEUE_PREFIX: redisHandle.prefix });
    queues = TestQueues.open(config);
    await putList(database.db, { env_id: 'env-m', task_ids: [1, 2, 3] });
    await seedActiveMiners(database.db, [
      { uid: 1, hotkey: 'hk1', revision: 'r1' },
      { uid: 2, hotkey: 'hk2', revision: 'r1' },
    ]);
    await seedSlots(database.db, 'hk1', 6);
  });
  after(async () => {
    await queues.close();
  });

  const source = (cacheMs: number, redis = redisHandle.redis) => {
    const metrics = createMetrics(new Registry(), { processMetrics: false });
    const s = poolMetricsSource({
      metrics,
      stats: sharedPoolStats({ redis, prefix: redisHandle.prefix, db: database.db, defaultSlots: 4 }, cacheMs),
    });
    const render = async () => parsePrometheusText(await metrics.registry.metrics());
    const read = async () => {
      await s.refresh();
      return render();
    };
    return { source: s, read, render };
  };

  test('tasks by env and state, slots, in flight and open circuits per miner', async () => {
    await queues.add(makeTask({ env: 'env-m', hotkey: 'hk1', revision: 'r1', task_id: 1 }));
    await queues.add(makeTask({ env: 'env-m', hotkey: 'hk1', revision: 'r1', task_id: 2 }));
    await publishCircuitState(redisHandle.redis, redisHandle.prefix, 'hk2', Date.now() + 60_000);
    const families = await source(0).read();
    assert.equal(valueOf(families, 'evalpool_tasks', { env: 'env-m', state: 'pending' }), 2);
    assert.equal(valueOf(families, 'evalpool_tasks', { env: 'env-m', state: 'assigned' }), 0);
    assert.equal(valueOf(families, 'evalpool_tasks', { env: 'env-m', state: 'paused' }), 0);
    assert.equal(valueOf(families, 'evalpool_miner_slots', { hotkey: 'hk1' }), 6);
    assert.equal(valueOf(families, 'evalpool_miner_slots', { hotkey: 'hk2' }), 4, 'the default without a slots row');
    assert.equal(valueOf(families, 'evalpool_miner_in_flight_tasks', { hotkey: 'hk1' }), 2);
    assert.equal(valueOf(families, 'evalpool_miner_in_flight_tasks', { hotkey: 'hk2' }), 0);
    assert.equal(valueOf(families, 'evalpool_miner_circuit_open', { hotkey: 'hk1' }), 0);
    assert.equal(valueOf(families, 'evalpool_miner_circuit_open', { hotkey: 'hk2' }), 1);
  });

  test('scrapes within the cache period share one snapshot; a later one sees the change', async () => {
    const cached = source(3_600_000);
    const before = await cached.read();
    const pending = valueOf(before, 'evalpool_tasks', { env: 'env-m', state: 'pending' });
    await queues.add(makeTask({ env: 'env-m', hotkey: 'hk1', revision: 'r1', task_id: 3 }));
    const [a, b] = await Promise.all([cached.read(), cached.read()]);
    assert.equal(valueOf(a, 'evalpool_tasks', { env: 'env-m', state: 'pending' }), pending);
    assert.equal(valueOf(b, 'evalpool_tasks', { env: 'env-m', state: 'pending' }), pending);
    assert.equal(valueOf(await source(0).read(), 'evalpool_tasks', { env: 'env-m', state: 'pending' }), pending + 1);
  });

  test('clear() removes every series it set', async () => {
    const s = source(0);
    assert.ok(samplesOf(await s.read(), 'evalpool_tasks').length > 0);
    s.source.clear();
    const families = await s.render();
    for (const family of ['evalpool_tasks', 'evalpool_miner_slots', 'evalpool_miner_in_flight_tasks', 'evalpool_miner_circuit_open'])
      assert.equal(samplesOf(families, family).length, 0, family);
  });

  test('with Redis unreachable a refresh fails at once, and the failure is not cached', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'probe', testLogger());
    try {
      const s = source(3_600_000, dead);
      const first = s.source.refresh();
      await assert.rejects(first, /writeable|closed|ECONNREFUSED/);
      const second = s.source.refresh();
      assert.notEqual(second, first, 'a new snapshot is tried, not the cached failure');
      await assert.rejects(second);
    } finally {
      await closeRedis(dead);
    }
  });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createApp } from '../../src/api/app.ts';
import { insertWeights } from '../../src/db/tables/weights.ts';
import { sharedPoolStats } from '../../src/pool/shared-pool-stats.ts';
import { createMetrics, Registry } from '../../src/runtime/metrics.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { serveMetricsSources } from '../../src/service/metrics-sources.ts';
import { parsePrometheusText, samplesOf, valueOf } from '../helpers/prometheus-text.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';

const database = useTestDatabase();
let probe: Redis;

before(() => {
  // Nothing listens on port 1: what serve's fail-fast probe connection meets while Redis is down.
  probe = createRedis('redis://127.0.0.1:1', 'probe', testLogger());
});
after(async () => {
  await closeRedis(probe);
});

test('with Redis down, /metrics still answers 200 with the Postgres and process series and counts the error', async () => {
  await insertWeights(database.db, { blockNumber: 4_242, weights: { '0': 1 }, weightsU16: { uids: [0], values: [65_535] }, metadata: {} });
  const config = testConfig({ EVALPOOL_QUEUE_PREFIX: 'evalpool-test-redis-down' });
  const metrics = createMetrics(new Registry());
  const app = createApp({
    config,
    db: database.db,
    redisProbe: probe,
    logger: testLogger(),
    metrics,
    metricsSources: serveMetricsSources(
      metrics,
      database.db,
      sharedPoolStats({ redis: probe, prefix: config.storage.queuePrefix, db: database.db, defaultSlots: config.slots.default }, 0),
      { redis: probe, prefix: config.storage.queuePrefix },
    ),
  });

  for (let scrape = 1; scrape <= 2; scrape++) {
    const response = await app.request('/metrics');
    assert.equal(response.status, 200);
    const families = parsePrometheusText(await response.text());
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'pool' }), scrape);
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'weights' }), 0);
    assert.equal(valueOf(families, 'evalpool_scrape_errors_total', { source: 'workers' }), scrape);
    assert.equal(samplesOf(families, 'evalpool_workers_live').length, 0, 'no worker series without Redis');
    assert.equal(valueOf(families, 'evalpool_weights_last_block'), 4_242);
    assert.ok(valueOf(families, 'evalpool_weights_age_seconds') >= 0);
    assert.equal(samplesOf(families, 'evalpool_tasks').length, 0, 'no pool series without Redis');
    assert.equal(samplesOf(families, 'evalpool_miner_slots').length, 0);
    assert.ok(samplesOf(families, 'process_resident_memory_bytes').length > 0);
  }
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Redis } from 'ioredis';
import { createApp } from '../../src/api/app.ts';
import { REDIS_START_TIMEOUT_MS } from '../../src/config/constants.ts';
import { createDatabase } from '../../src/db/database.ts';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { waitForRedis } from '../../src/runtime/wait-ready.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { testLogger } from '../helpers/test-logger.ts';

const database = useTestDatabase();
// Dead probes fail at once (nothing listens), so the probe limit can leave a loaded machine room.
const config = testConfig({ EVALPOOL_HEALTH_TIMEOUT_MS: '20000' });
const logger = testLogger();

describe('GET /health', () => {
  let redis: Redis;
  let deadRedis: Redis;
  before(async () => {
    redis = createRedis(config.storage.redisUrl, 'probe', logger);
    await waitForRedis(redis, REDIS_START_TIMEOUT_MS);
    // Nothing listens on port 1: a probe there fails at once, like a stopped Redis.
    deadRedis = createRedis('redis://127.0.0.1:1', 'probe', logger);
  });
  after(async () => {
    await closeRedis(redis);
    await closeRedis(deadRedis);
  });

  test('200 with both probes ok when Postgres and Redis answer', async () => {
    const app = createApp({ config, db: database.db, redisProbe: redis, logger });
    const response = await app.request('/health');
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; database: { ok: boolean }; redis: { ok: boolean } };
    assert.equal(body.status, 'ok');
    assert.equal(body.database.ok, true);
    assert.equal(body.redis.ok, true);
  });

  test('503 naming Redis when Redis is down', async () => {
    const app = createApp({ config, db: database.db, redisProbe: deadRedis, logger });
    const response = await app.request('/health');
    assert.equal(response.status, 503);
    const body = (await response.json()) as { status: string; database: { ok: boolean }; redis: { ok: boolean; error: string } };
    assert.equal(body.status, 'degraded');
    assert.equal(body.database.ok, true);
    assert.equal(body.redis.ok, false);
    assert.ok(body.redis.error.length > 0);
  });

  test('503 naming the database when Postgres does not answer', async () => {
    const dead = createDatabase({ url: 'postgres://postgres@127.0.0.1:1/none', poolSize: 1, logger, connectTimeoutMs: 200 });
    try {
      const app = createApp({ config, db: dead, redisProbe: redis, logger });
      const response = await app.request('/health');
      assert.equal(response.status, 503);
      const body = (await response.json()) as { database: { ok: boolean; error: string }; redis: { ok: boolean } };
      assert.equal(body.database.ok, false);
      assert.equal(body.redis.ok, true);
    } finally {
      await dead.destroy();
    }
  });

  test('unknown routes answer a JSON 404', async () => {
    const app = createApp({ config, db: database.db, redisProbe: redis, logger });
    const response = await app.request('/v1/nothing-here');
    assert.equal(response.status, 404);
    assert.deepEqual(await response.json(), { error: 'not_found', detail: 'no route for GET /v1/nothing-here' });
  });
});

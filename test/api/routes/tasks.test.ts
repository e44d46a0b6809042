import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TaskStats } from '../../../src/api/readers.ts';
import { getJson, testApp } from '../../helpers/test-app.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const database = useTestDatabase();

describe('GET /v1/tasks/stats', () => {
  test('503 with a reason when the pool reader is missing or fails', async () => {
    const missing = await getJson(testApp(database.db), '/v1/tasks/stats');
    assert.equal(missing.status, 503);
    assert.deepEqual(missing.body, { error: 'unavailable', detail: 'task statistics: not available in this process' });
    const failing = await getJson(
      testApp(database.db, { readers: { taskStats: () => Promise.reject(new Error('redis down')) } }),
      '/v1/tasks/stats',
    );
    assert.equal(failing.status, 503);
  });

  test('counts per state, overall, per env and per miner', async () => {
    const stats: TaskStats = {
      total: { pending: 5, assigned: 2, paused: 1 },
      byEnv: { 'env-a': { pending: 5, assigned: 2, paused: 1 } },
      byMiner: { hk1: { pending: 4, assigned: 1, paused: 0 }, hk2: { pending: 1, assigned: 1, paused: 1 } },
    };
    const { status, body } = await getJson(
      testApp(database.db, { readers: { taskStats: () => Promise.resolve(stats) } }),
      '/v1/tasks/stats',
    );
    assert.equal(status, 200);
    assert.deepEqual(body, {
      total: { pending: 5, assigned: 2, paused: 1, in_flight: 7 },
      by_env: { 'env-a': { pending: 5, assigned: 2, paused: 1, in_flight: 7 } },
      by_miner: { hk1: { pending: 4, assigned: 1, paused: 0, in_flight: 5 }, hk2: { pending: 1, assigned: 1, paused: 1, in_flight: 2 } },
    });
  });
});

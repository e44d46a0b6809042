import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { range, seedList } from '../../helpers/seed.ts';
import { getJson, testApp } from '../../helpers/test-app.ts';
import { useTestDatabase } from '../../helpers/test-database.ts';

const database = useTestDatabase();

describe('GET /v1/environments', () => {
  test('settings and rotation state of each env, never the list itself', async () => {
    await seedList(database.db, 'mujoco/reach', range(31_337, 20));
    await seedList(database.db, 'practice', range(0, 5), { scored: false, family: 'container' });
    const { status, body } = await getJson<{ environments: Record<string, unknown>[] }>(testApp(database.db), '/v1/environments');
    assert.equal(status, 200);
    assert.deepEqual(
      body.environments.map((e) => e.env_id),
      ['mujoco/reach', 'practice'],
    );
    const reach = body.environments[0]!;
    assert.deepEqual(
      { ...reach, rotation: { ...(reach.rotation as object), last_rotated_at: 'x', next_rotation_at: 'x' } },
      {
        env_id: 'mujoco/reach',
        family: 'builtin',
        scored: true,
        list_size: 20,
        current_size: 20,
        rotation: { count: 2, interval_seconds: 3_600, rotations: 0, last_rotated_at: 'x', next_rotation_at: 'x' },
        dataset: { start: 0, end: 31_357, size: 31_357 },
      },
    );
    assert.equal(body.environments[1]!.scored, false);
    const text = JSON.stringify(body);
    assert.ok(!text.includes('task_ids') && !text.includes('31340'), 'the current list is not public');
  });
});

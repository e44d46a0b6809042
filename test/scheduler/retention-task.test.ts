import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createRetentionTask } from '../../src/scheduler/retention-task.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';
import { capturingLogger } from '../helpers/test-logger.ts';

const database = useTestDatabase();
const NOW = new Date('2026-06-01T00:00:00Z');
const daysAgo = (d: number): Date => new Date(NOW.getTime() - d * 86_400_000);

describe('retention of append-only tables', () => {
  test('old attempts, unpublished snapshots and slot history go; results, weights and published snapshots stay', async () => {
    const { db } = database;
    const attempt = (uuid: string, at: Date) => ({
      task_uuid: uuid,
      attempt: 1,
      env_id: 'mujoco/reach-v1',
      task_id: 1,
      uid: 0,
      hotkey: 'hk',
      revision: 'r',
      error_class: 'miner_unavailable' as const,
      worker_id: 'w',
      created_at: at,
    });
    await db
      .insertInto('attempts')
      .values([attempt('00000000-0000-4000-8000-000000000001', daysAgo(8)), attempt('00000000-0000-4000-8000-000000000002', daysAgo(6))])
      .execute();
    await db
      .insertInto('results')
      .values({
        task_uuid: '00000000-0000-4000-8000-000000000003',
        env_id: 'mujoco/reach-v1',
        task_id: 1,
        uid: 0,
        hotkey: 'hk',
        revision: 'r',
        success: true,
        score: 1,
        error_class: 'success',
        worker_id: 'w',
        created_at: daysAgo(400),
      })
      .execute();
    const weights = await db
      .insertInto('weights')
      .values({ block_number: 1, weights: '{}', weights_u16: '{"uids":[],"values":[]}', metadata: '{}', created_at: daysAgo(400) })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('score_snapshots')
      .values([
        { weights_id: weights.id, block_number: 1, eligible_count: 1, report: '{}', created_at: daysAgo(400) },
        { weights_id: null, block_number: 2, eligible_count: 0, reason: 'no eligible miner', report: '{}', created_at: daysAgo(31) },
        { weights_id: null, block_number: 3, eligible_count: 0, reason: 'no eligible miner', report: '{}', created_at: daysAgo(1) },
      ])
      .execute();
    await db
      .insertInto('slot_history')
      .values([
        { hotkey: 'hk', old_slots: 4, new_slots: 6, reason: 'health', created_at: daysAgo(31) },
        { hotkey: 'hk', old_slots: 6, new_slots: 8, reason: 'health', created_at: daysAgo(2) },
      ])
      .execute();

    const { logger, lines } = capturingLogger();
    const task = createRetentionTask({ db, config: testConfig(), logger }, () => NOW);
    await task.run(new AbortController().signal);

    assert.deepEqual(
      (await db.selectFrom('attempts').select('task_uuid').execute()).map((r) => r.task_uuid),
      ['00000000-0000-4000-8000-000000000002'],
    );
    assert.equal((await db.selectFrom('results').select('id').execute()).length, 1);
    assert.equal((await db.selectFrom('weights').select('id').execute()).length, 1);
    assert.deepEqual(
      (await db.selectFrom('score_snapshots').select('block_number').orderBy('block_number').execute()).map((r) => r.block_number),
      [1, 3],
    );
    assert.deepEqual(
      (await db.selectFrom('slot_history').select('new_slots').execute()).map((r) => r.new_slots),
      [8],
    );
    assert.deepEqual(
      lines.filter((l) => l.msg === 'retention: deleted old rows').map((l) => [l.table, l.deleted]),
      [
        ['attempts', 1],
        ['score_snapshots', 1],
        ['slot_history', 1],
      ],
    );

    // A second run finds nothing to delete and logs nothing.
    await task.run(new AbortController().signal);
    assert.equal(lines.filter((l) => l.msg === 'retention: deleted old rows').length, 3);
  });
});

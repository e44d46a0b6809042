import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { sql } from 'kysely';
import { migrateDown, migrateToLatest, migrationStatus } from '../../src/db/migrator.ts';
import { useTestDatabase } from '../helpers/test-database.ts';

const database = useTestDatabase({ migrate: false });

async function tables(): Promise<string[]> {
  const result = await sql<{
    name: string;
  }>`select tablename as name from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by 1`.execute(database.db);
  return result.rows.map((r) => r.name);
}

describe('migrations', () => {
  test('up creates the schema, down removes it, up again restores it', async () => {
    const first = await migrateToLatest(database.db);
    assert.equal(first.error, undefined);
    const created = await tables();
    for (const table of [
      'miners',
      'sampling_lists',
      'rotations',
      'results',
      'attempts',
      'miner_slots',
      'slot_history',
      'weights',
      'score_snapshots',
    ]) {
      assert.ok(created.includes(table), `${table} exists`);
    }
    assert.ok((await migrationStatus(database.db)).every((m) => m.executedAt instanceof Date));

    const status = await migrationStatus(database.db);
    for (let i = 0; i < status.length; i++) assert.equal((await migrateDown(database.db)).error, undefined);
    assert.deepEqual(await tables(), []);
    assert.ok((await migrationStatus(database.db)).every((m) => m.executedAt === undefined));

    assert.equal((await migrateToLatest(database.db)).error, undefined);
    assert.deepEqual(await tables(), created);
  });

  test('a result is unique per hotkey, revision, env and task id, and only scored classes are stored', async () => {
    const row = {
      task_uuid: '00000000-0000-4000-8000-000000000001',
      env_id: 'mujoco/reach-v1',
      task_id: 7,
      uid: 1,
      hotkey: 'hk',
      revision: 'r1',
      success: true,
      score: 1,
      error_class: 'success' as const,
      worker_id: 'w',
    };
    await database.db.insertInto('results').values(row).execute();
    await assert.rejects(
      database.db
        .insertInto('results')
        .values({ ...row, task_uuid: '00000000-0000-4000-8000-000000000002' })
        .execute(),
      /results_identity/,
    );
    await assert.rejects(
      database.db
        .insertInto('results')
        .values({ ...row, task_id: 8, task_uuid: '00000000-0000-4000-8000-000000000003', error_class: 'env_error' as never })
        .execute(),
      /results_scored_class/,
    );
    for (const [i, score] of [1.5, -0.1].entries()) {
      await assert.rejects(
        database.db
          .insertInto('results')
          .values({ ...row, task_id: 9 + i, task_uuid: `00000000-0000-4000-8000-00000000001${i}`, score })
          .execute(),
        /results_score_range/,
      );
    }
  });

  test('int8 columns come back as numbers', async () => {
    const inserted = await database.db
      .insertInto('weights')
      .values({ block_number: 4_000_000_123, weights: '{}', weights_u16: '{"uids":[],"values":[]}', metadata: '{}' })
      .returning(['id', 'block_number'])
      .executeTakeFirstOrThrow();
    assert.equal(typeof inserted.id, 'number');
    assert.equal(inserted.block_number, 4_000_000_123);
  });
});

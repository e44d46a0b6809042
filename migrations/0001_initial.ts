import { type Kysely, sql } from 'kysely';

// The first schema: Postgres is the truth (DESIGN.md); Redis only holds work in flight.
// Task ids are int4: dataset ranges are validated to fit.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('miners')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('uid', 'integer', (c) => c.notNull())
    .addColumn('hotkey', 'text', (c) => c.notNull())
    .addColumn('revision', 'text', (c) => c.notNull())
    .addColumn('endpoint', 'text', (c) => c.notNull())
    .addColumn('committed_block', 'bigint', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addUniqueConstraint('miners_identity', ['hotkey', 'revision'])
    .execute();
  await db.schema.createIndex('miners_active_uid').on('miners').columns(['active', 'uid']).execute();

  await db.schema
    .createTable('sampling_lists')
    .addColumn('env_id', 'text', (c) => c.primaryKey())
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('task_ids', sql`integer[]`, (c) => c.notNull())
    .addColumn('dataset_start', 'integer', (c) => c.notNull())
    .addColumn('dataset_end', 'integer', (c) => c.notNull())
    .addColumn('list_size', 'integer', (c) => c.notNull())
    .addColumn('rotation_count', 'integer', (c) => c.notNull())
    .addColumn('rotation_interval_seconds', 'integer', (c) => c.notNull())
    .addColumn('scored', 'boolean', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_rotated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('sampling_lists_dataset', sql`dataset_start >= 0 and dataset_end > dataset_start`)
    .execute();

  await db.schema
    .createTable('rotations')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('env_id', 'text', (c) => c.notNull().references('sampling_lists.env_id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rotated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ids_out', sql`integer[]`, (c) => c.notNull())
    .addColumn('ids_in', sql`integer[]`, (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addUniqueConstraint('rotations_env_version', ['env_id', 'version'])
    .execute();
  await db.schema.createIndex('rotations_env_time').on('rotations').columns(['env_id', 'rotated_at desc']).execute();

  await db.schema
    .createTable('results')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('task_uuid', 'uuid', (c) => c.notNull().unique())
    .addColumn('env_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'integer', (c) => c.notNull())
    .addColumn('uid', 'integer', (c) => c.notNull())
    .addColumn('hotkey', 'text', (c) => c.notNull())
    .addColumn('revision', 'text', (c) => c.notNull())
    .addColumn('success', 'boolean', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('reward', 'double precision')
    .addColumn('timesteps', 'integer')
    .addColumn('error_class', 'text', (c) => c.notNull())
    .addColumn('error_message', 'text')
    .addColumn('latency_ms', 'double precision')
    .addColumn('duration_ms', 'integer')
    .addColumn('worker_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Only scored outcomes become results; infrastructure faults never count against a miner.
    .addCheckConstraint('results_scored_class', sql`error_class in ('success', 'failure')`)
    .addUniqueConstraint('results_identity', ['hotkey', 'revision', 'env_id', 'task_id'])
    .execute();
  await db.schema.createIndex('results_env_task').on('results').columns(['env_id', 'task_id']).execute();
  await db.schema.createIndex('results_hotkey_time').on('results').columns(['hotkey', 'created_at desc']).execute();
  await db.schema.createIndex('results_time').on('results').column('created_at').execute();

  await db.schema
    .createTable('attempts')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('task_uuid', 'uuid', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('env_id', 'text', (c) => c.notNull())
    .addColumn('task_id', 'integer', (c) => c.notNull())
    .addColumn('uid', 'integer', (c) => c.notNull())
    .addColumn('hotkey', 'text', (c) => c.notNull())
    .addColumn('revision', 'text', (c) => c.notNull())
    .addColumn('error_class', 'text', (c) => c.notNull())
    .addColumn('error_message', 'text')
    .addColumn('duration_ms', 'integer')
    .addColumn('worker_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('attempts_class', sql`error_class in ('success', 'failure', 'miner_unavailable', 'env_error', 'worker_error')`)
    .execute();
  await db.schema.createIndex('attempts_hotkey_time').on('attempts').columns(['hotkey', 'created_at']).execute();
  await db.schema.createIndex('attempts_time').on('attempts').column('created_at').execute();

  await db.schema
    .createTable('miner_slots')
    .addColumn('hotkey', 'text', (c) => c.primaryKey())
    .addColumn('slots', 'integer', (c) => c.notNull())
    .addColumn('pinned', 'integer')
    .addColumn('scheduling_paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('miner_slots_positive', sql`slots >= 0 and (pinned is null or pinned >= 0)`)
    .execute();

  await db.schema
    .createTable('slot_history')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('hotkey', 'text', (c) => c.notNull())
    .addColumn('old_slots', 'integer')
    .addColumn('new_slots', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('health', 'double precision')
    .addColumn('samples', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('slot_history_hotkey_time').on('slot_history').columns(['hotkey', 'created_at desc']).execute();

  await db.schema
    .createTable('weights')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('block_number', 'bigint', (c) => c.notNull().unique())
    .addColumn('weights', 'jsonb', (c) => c.notNull())
    .addColumn('weights_u16', 'jsonb', (c) => c.notNull())
    .addColumn('metadata', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('score_snapshots')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('weights_id', 'bigint', (c) => c.references('weights.id').onDelete('set null'))
    .addColumn('block_number', 'bigint', (c) => c.notNull())
    .addColumn('eligible_count', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('report', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('score_snapshots_time').on('score_snapshots').column('created_at desc').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'score_snapshots',
    'weights',
    'slot_history',
    'miner_slots',
    'attempts',
    'results',
    'rotations',
    'sampling_lists',
    'miners',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}

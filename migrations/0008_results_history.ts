import { type Kysely, sql } from 'kysely';

// `results` at a year of history (tens of millions of rows): every index costs every insert and
// the memory that keeps it warm, so each one must earn its place.
//
// results_env_task (env_id, task_id) goes: results_scoring (0005) has the same leading columns
// and serves every query it served (the weights aggregate and the result index's reads of the
// listed ids, both index-only). The others stay:
// - results_identity (unique: hotkey, revision, env_id, task_id): first-write-wins and the
//   probes of candidates before creation;
// - results_scoring (env_id, task_id) include (hotkey, revision, score): reads bounded by the
//   current lists;
// - results_hotkey_time (hotkey, created_at desc): a miner's newest result (`/v1/miners`);
// - results_time (created_at): `evalpool results prune|export` find old rows by it;
// - the task_uuid unique key: a retried attempt is a no-op.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists results_env_task`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists results_env_task on results (env_id, task_id)`.execute(db);
}

import { type Kysely, sql } from 'kysely';

// Reads that grew with history, found by test/db/history-bounded.test.ts (rows each periodic
// reader examines at 1× and 20× history):
// - score_snapshots_live_time: the hourly retention deletes live snapshots (weights_id null)
//   older than the retention, and keeps publications forever. Through score_snapshots_time it
//   walked every publication ever kept (one per publication: tens of thousands after months) to
//   find none; the partial index holds only the live rows, so it reads what it deletes.
// - slot_history_time: the retention's delete of old slot history scanned the whole table.
// - attempts_hotkey_recent (hotkey, created_at, id) replaces attempts_hotkey_time (hotkey,
//   created_at): a miner's recent attempts (`/v1/miners/{uid}`) are ordered by (created_at, id);
//   without id in the index the planner walked attempts_time backwards filtering by hotkey,
//   reading every miner's attempts until it found 20 of this one. Same count of indexes.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists score_snapshots_live_time on score_snapshots (created_at) where weights_id is null`.execute(db);
  await sql`create index if not exists slot_history_time on slot_history (created_at)`.execute(db);
  await sql`create index if not exists attempts_hotkey_recent on attempts (hotkey, created_at, id)`.execute(db);
  await sql`drop index if exists attempts_hotkey_time`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists attempts_hotkey_time on attempts (hotkey, created_at)`.execute(db);
  await sql`drop index if exists attempts_hotkey_recent`.execute(db);
  await sql`drop index if exists slot_history_time`.execute(db);
  await sql`drop index if exists score_snapshots_live_time`.execute(db);
}

import { type Kysely, sql } from 'kysely';

// Indexes of the rolling weights and the read API.
//
// results_scoring: the weights aggregate joins every id of the current sampling lists with
// `results` on (env_id, task_id) and sums `score` per (hotkey, revision, env). With only
// `results_env_task`, each of the ~2 M matching rows at 256 miners × 8 envs × 1,000 ids is a
// random heap fetch (≈1.3 s warm, growing with the heap); with the columns the aggregate reads
// included, it is an index-only scan bounded by the lists, not by the history (≈0.5 s; EXPLAIN
// ANALYZE on 4.35 M rows). `results_env_task` is now redundant (same leading columns) but kept:
// other queries may name it.
//
// score_snapshots_weights: the snapshot behind a weights row (`weights show`, scores by block).

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index results_scoring on results (env_id, task_id) include (hotkey, revision, score)`.execute(db);
  await sql`create index score_snapshots_weights on score_snapshots (weights_id) where weights_id is not null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists score_snapshots_weights`.execute(db);
  await sql`drop index if exists results_scoring`.execute(db);
}

import { type Kysely, sql } from 'kysely';

// "Once the miner has the task, the episode is measured" must survive the task's job: a job can
// leave Redis (trimmed over a lowered cap, removed and re-created, a flush) and come back fresh.
// Each attempt now says whether its /reset was delivered (`miner_had_task`; false for rows written
// before this migration), and the top-up reads a candidate's measured non-answers back before it
// creates the job (attempts.ts, getMeasuredHistories). The index is partial: only retried
// attempts (`miner_unavailable`, `env_error`) are ever read this way, a small share of the table,
// probed once per candidate by its exact task identity.
// Cost: adding a column with a constant default is a catalog change (PG >= 11); the index build
// holds a SHARE lock on attempts (writes wait) for 1.8 s per 2 M rows on a loaded 2-core machine.
// Kysely runs pending migrations in one transaction, so CONCURRENTLY cannot be used here: an
// operator with a much larger table builds it concurrently beforehand (README, "Postgres") and
// `if not exists` skips it.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table attempts add column if not exists miner_had_task boolean not null default false`.execute(db);
  await sql`
    create index if not exists attempts_task_non_answers on attempts (hotkey, env_id, task_id, revision)
    where error_class in ('miner_unavailable', 'env_error')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists attempts_task_non_answers`.execute(db);
  await sql`alter table attempts drop column if exists miner_had_task`.execute(db);
}

import { type Kysely, sql } from 'kysely';

// A result's score is in [0, 1]: scoring reads Σ score / n as a success rate and refuses an
// aggregate outside [0, n], so one out-of-range row would stop every weights pass until its task
// id rotated out. Workers refuse such outcomes (an env_error); this makes the table say so too.
// Rows already outside the range came from an env answering nonsense, which is never scored:
// they are deleted, and the scheduler creates those tasks again.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`delete from results where not (score >= 0 and score <= 1)`.execute(db);
  await sql`alter table results add constraint results_score_range check (score >= 0 and score <= 1)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table results drop constraint if exists results_score_range`.execute(db);
}

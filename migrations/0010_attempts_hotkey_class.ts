import { type Kysely, sql } from 'kysely';

// "Why is miner X's score low": the API shows each miner's last attempt of every error class.
// With (hotkey, created_at) alone, the last attempt of a rare class means scanning the miner's
// whole history backwards; this index finds each one with a single probe.

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index if not exists attempts_hotkey_class_time on attempts (hotkey, error_class, created_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists attempts_hotkey_class_time`.execute(db);
}

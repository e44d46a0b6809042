import type { Kysely } from 'kysely';
import type { Database, NewAttempt } from '../schema.ts';

/** Records one finished attempt of a task, whatever its class (slot health reads these). */
export async function insertAttempt(db: Kysely<Database>, row: NewAttempt): Promise<void> {
  await db.insertInto('attempts').values(row).execute();
}

/** Records many finished attempts in one statement. */
export async function insertAttempts(db: Kysely<Database>, rows: readonly NewAttempt[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('attempts').values([...rows]).execute();
}

import type { Kysely } from 'kysely';
import type { Database, ErrorClass, NewAttempt } from '../schema.ts';

/** Records one finished attempt of a task, whatever its class (slot health reads these). */
export async function insertAttempt(db: Kysely<Database>, row: NewAttempt): Promise<void> {
  await db.insertInto('attempts').values(row).execute();
}

/** Records many finished attempts in one statement. */
export async function insertAttempts(db: Kysely<Database>, rows: readonly NewAttempt[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('attempts').values([...rows]).execute();
}

/** The last attempt of one error class of a miner. */
export interface LastAttemptOfClass {
  readonly error_class: ErrorClass;
  readonly error_message: string | null;
  readonly env_id: string;
  readonly task_id: number;
  readonly revision: string;
  readonly created_at: Date;
}

/**
 * A miner's last attempt of each class that is not a success (failure, miner_unavailable,
 * env_error, worker_error): one index probe per class (`attempts_hotkey_class_time`).
 */
export async function getLastAttemptsByClass(db: Kysely<Database>, hotkey: string): Promise<LastAttemptOfClass[]> {
  const classes: readonly ErrorClass[] = ['failure', 'miner_unavailable', 'env_error', 'worker_error'];
  const rows = await Promise.all(
    classes.map((errorClass) =>
      db
        .selectFrom('attempts')
        .select(['error_class', 'error_message', 'env_id', 'task_id', 'revision', 'created_at'])
        .where('hotkey', '=', hotkey)
        .where('error_class', '=', errorClass)
        .orderBy('created_at', 'desc')
        .limit(1)
        .executeTakeFirst(),
    ),
  );
  return rows.filter((r): r is LastAttemptOfClass => r !== undefined);
}

/** A finished attempt as the miner views show it. */
export type RecentAttempt = LastAttemptOfClass & { readonly attempt: number; readonly duration_ms: number | null; readonly worker_id: string };

/** A miner's most recent finished attempts, newest first, at most `limit`. */
export async function getRecentAttempts(db: Kysely<Database>, hotkey: string, limit: number): Promise<RecentAttempt[]> {
  return db
    .selectFrom('attempts')
    .select(['error_class', 'error_message', 'env_id', 'task_id', 'revision', 'created_at', 'attempt', 'duration_ms', 'worker_id'])
    .where('hotkey', '=', hotkey)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

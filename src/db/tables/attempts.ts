import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { Database, ErrorClass, NewAttempt } from '../schema.ts';
import type { ResultIdentity } from './results.ts';

/** Records one finished attempt of a task, whatever its class (slot health reads these). */
export async function insertAttempt(db: Kysely<Database>, row: NewAttempt): Promise<void> {
  await db.insertInto('attempts').values(row).execute();
}

/** Records many finished attempts in one statement. */
export async function insertAttempts(db: Kysely<Database>, rows: readonly NewAttempt[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('attempts')
    .values([...rows])
    .execute();
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
export type RecentAttempt = LastAttemptOfClass & {
  readonly attempt: number;
  readonly duration_ms: number | null;
  readonly worker_id: string;
};

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

/** What the attempts table says about a task the miner has already had (see {@link getMeasuredHistories}). */
export interface MeasuredHistory extends ResultIdentity {
  /** `miner_unavailable` attempts since the first retried attempt that delivered the task (0 or more). */
  readonly non_answers: number;
}

/**
 * For each of `keys`, its measured history, if a retried attempt (`miner_unavailable` or
 * `env_error`, as the worker's job notes it) ever delivered that exact task (hotkey, revision, env,
 * task id) to the miner: tasks it never received are left out. Only `miner_unavailable` attempts
 * count as non-answers (env_error and worker_error are never the miner's), and only from the
 * first delivery: before it, nothing was measured. One query, one probe of the partial index
 * `attempts_task_non_answers` per key; the rows read are the keys' own retried attempts, whatever
 * the size of the table.
 */
export async function getMeasuredHistories(db: Kysely<Database>, keys: readonly ResultIdentity[]): Promise<MeasuredHistory[]> {
  if (keys.length === 0) return [];
  return (await measuredHistoriesQuery(keys).execute(db)).rows;
}

/** The query of {@link getMeasuredHistories} (exported so that its plan can be checked). */
export function measuredHistoriesQuery(keys: readonly ResultIdentity[]): RawBuilder<MeasuredHistory> {
  return sql<MeasuredHistory>`
    select hotkey, revision, env_id, task_id,
           count(*) filter (where error_class = 'miner_unavailable' and created_at >= first_had)::int as non_answers
    from (
      select a.hotkey, a.revision, a.env_id, a.task_id, a.error_class, a.created_at,
             min(a.created_at) filter (where a.miner_had_task) over (partition by a.hotkey, a.revision, a.env_id, a.task_id) as first_had
      from (
        select distinct * from unnest(${keys.map((k) => k.hotkey)}::text[], ${keys.map((k) => k.revision)}::text[],
                                      ${keys.map((k) => k.env_id)}::text[], ${keys.map((k) => k.task_id)}::int[]) as u(hotkey, revision, env_id, task_id)
      ) c
      join attempts a on a.hotkey = c.hotkey and a.env_id = c.env_id and a.task_id = c.task_id and a.revision = c.revision
      where a.error_class in ('miner_unavailable', 'env_error')
    ) h
    where first_had is not null
    group by hotkey, revision, env_id, task_id
  `;
}

import type { Redis } from 'ioredis';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { queueName, taskJobId, type TaskJobData } from '../../src/pool/task-job.ts';

/** What the books say after a fault, read from Postgres and Redis directly (not through evalpool). */
export interface Books {
  /** Tasks given to the system. */
  readonly tasks: number;
  /** (hotkey, revision, env, task id) with more than one result row: must be empty. */
  readonly duplicates: readonly string[];
  /** Tasks with no result and no job in Redis: lost. Must be empty. */
  readonly lost: readonly string[];
  /** Tasks with a result. */
  readonly evaluated: number;
  /** Tasks still in the pool (a job key in Redis). */
  readonly pooled: number;
  /** Results of an infrastructure class (the scored classes are success and failure only). */
  readonly infrastructureScored: number;
}

const key = (t: { hotkey: string; revision: string; env: string; task_id: number }): string => `${t.hotkey}@${t.revision} ${t.env}#${t.task_id}`;

/** Audits the books of `tasks` (one hotkey's, or a few). */
export async function auditBooks(db: Kysely<Database>, redis: Redis, prefix: string, tasks: readonly TaskJobData[]): Promise<Books> {
  const hotkeys = [...new Set(tasks.map((t) => t.hotkey))];
  const rows = await db
    .selectFrom('results')
    .select(['hotkey', 'revision', 'env_id', 'task_id', 'error_class', sql<number>`count(*) over (partition by hotkey, revision, env_id, task_id)`.as('copies')])
    .where('hotkey', 'in', hotkeys)
    .execute();
  const stored = new Set(rows.map((r) => key({ hotkey: r.hotkey, revision: r.revision, env: r.env_id, task_id: r.task_id })));
  const duplicates = [...new Set(rows.filter((r) => Number(r.copies) > 1).map((r) => key({ hotkey: r.hotkey, revision: r.revision, env: r.env_id, task_id: r.task_id })))];
  const missing = tasks.filter((t) => !stored.has(key(t)));
  const inRedis = await Promise.all(missing.map((t) => redis.exists(`${prefix}:${queueName(t.env)}:${taskJobId(t.env, t.hotkey, t.revision, t.task_id)}`)));
  return {
    tasks: tasks.length,
    duplicates,
    lost: missing.filter((_, i) => inRedis[i] === 0).map(key),
    evaluated: tasks.length - missing.length,
    pooled: inRedis.filter((n) => n === 1).length,
    infrastructureScored: rows.filter((r) => r.error_class !== 'success' && r.error_class !== 'failure').length,
  };
}

/** Whether the books hold: no duplicate, nothing lost, no infrastructure fault scored. */
export function booksHold(books: Books): boolean {
  return books.duplicates.length === 0 && books.lost.length === 0 && books.infrastructureScored === 0;
}

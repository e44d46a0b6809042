import type { Redis } from 'ioredis';
import { type Kysely, sql } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { poolKeys } from '../../src/pool/pool-keys.ts';
import { type PooledTask, readPoolSnapshot } from '../../src/pool/pool-snapshot.ts';
import { queueName, type TaskJobData, taskJobId } from '../../src/pool/task-job.ts';
import type { SlotAudit } from './slot-sampler.ts';
import { auditWeights, type WeightsAudit } from './weights-audit.ts';

export type { SlotAudit } from './slot-sampler.ts';
export type { WeightsAudit } from './weights-audit.ts';

/** What the books say after a fault, read from Postgres and Redis directly (not through evalpool). */
export interface Books {
  /** Tasks given to the system (or wanted from it: current lists × active miners). */
  readonly tasks: number;
  /** (hotkey, revision, env, task id) with more than one result row: must be empty. */
  readonly duplicates: readonly string[];
  /** Tasks with no result and no job in Redis: lost. Must be empty. */
  readonly lost: readonly string[];
  /** Tasks with a result. */
  readonly evaluated: number;
  /** Tasks still in the pool (a job key in Redis). */
  readonly pooled: number;
  /**
   * Results that scored an infrastructure fault: of a class other than success and failure, or a
   * score-0 result none of whose attempts (same task uuid) was measured (success or failure).
   */
  readonly infrastructureScored: number;
  /** Jobs in Redis for a task not wanted: a retired id or revision, an unknown or inactive miner. */
  readonly strayJobs: readonly string[];
  /** Every weights row published from full coverage (see weights-audit.ts). */
  readonly weights: WeightsAudit;
  /** In flight ≤ slots sampled throughout; undefined when the scenario adds tasks itself (no scheduler, no slot law). */
  readonly slots: SlotAudit | undefined;
}

const key = (t: { hotkey: string; revision: string; env: string; task_id: number }): string =>
  `${t.hotkey}@${t.revision} ${t.env}#${t.task_id}`;

/**
 * Jobs in Redis (pending, assigned or paused) for tasks outside `wanted`, each named with why it is
 * not wanted, read from the miners and sampling lists in Postgres.
 */
async function strayJobs(db: Kysely<Database>, redis: Redis, prefix: string, tasks: readonly TaskJobData[]): Promise<string[]> {
  const wanted = new Set(tasks.map(key));
  // The queues the scheduler registered, and those of tasks a scenario added itself.
  const envs = [...new Set([...(await redis.smembers(poolKeys(prefix).queues)), ...tasks.map((t) => queueName(t.env))])];
  if (envs.length === 0) return [];
  const snapshot = await readPoolSnapshot(redis, prefix, envs);
  const stray = snapshot.tasks.filter((t) => !wanted.has(key({ hotkey: t.hotkey, revision: t.revision, env: t.env, task_id: t.taskId })));
  if (stray.length === 0) return [];
  const miners = await db.selectFrom('miners').select(['hotkey', 'revision', 'active']).execute();
  const lists = new Map(
    (await db.selectFrom('sampling_lists').select(['env_id', 'task_ids']).execute()).map((l) => [l.env_id, new Set(l.task_ids)]),
  );
  const why = (t: PooledTask): string => {
    const rows = miners.filter((m) => m.hotkey === t.hotkey);
    if (rows.length === 0) return 'unknown miner';
    const row = rows.find((m) => m.revision === t.revision);
    if (!row) return 'unknown revision';
    if (!row.active) return rows.some((m) => m.active) ? 'retired revision' : 'inactive miner';
    const list = lists.get(t.env);
    if (!list) return 'no list';
    if (!list.has(t.taskId)) return 'retired id';
    return 'not given';
  };
  return stray.map((t) => `${key({ hotkey: t.hotkey, revision: t.revision, env: t.env, task_id: t.taskId })} (${t.state}: ${why(t)})`);
}

/**
 * Audits the books of `tasks` (the tasks given, or every wanted task): results, the pool, the
 * weights rows, and the slot sampler's record when the scenario ran one.
 */
export async function auditBooks(
  db: Kysely<Database>,
  redis: Redis,
  prefix: string,
  tasks: readonly TaskJobData[],
  slots?: SlotAudit,
): Promise<Books> {
  const hotkeys = [...new Set(tasks.map((t) => t.hotkey))];
  const rows =
    hotkeys.length === 0
      ? []
      : await db
          .selectFrom('results')
          .select([
            'hotkey',
            'revision',
            'env_id',
            'task_id',
            'error_class',
            sql<number>`count(*) over (partition by hotkey, revision, env_id, task_id)`.as('copies'),
          ])
          .where('hotkey', 'in', hotkeys)
          .execute();
  const stored = new Set(rows.map((r) => key({ hotkey: r.hotkey, revision: r.revision, env: r.env_id, task_id: r.task_id })));
  const duplicates = [
    ...new Set(
      rows
        .filter((r) => Number(r.copies) > 1)
        .map((r) => key({ hotkey: r.hotkey, revision: r.revision, env: r.env_id, task_id: r.task_id })),
    ),
  ];
  const missing = tasks.filter((t) => !stored.has(key(t)));
  const inRedis = await Promise.all(
    missing.map((t) => redis.exists(`${prefix}:${queueName(t.env)}:${taskJobId(t.env, t.hotkey, t.revision, t.task_id)}`)),
  );
  // A score-0 result must come from a measured attempt: one whose attempts were all infrastructure
  // classes (the miner never had the task, the env or the worker failed) scored a fault.
  const unmeasured =
    hotkeys.length === 0
      ? []
      : await db
          .selectFrom('results as r')
          .select(['r.hotkey', 'r.task_uuid'])
          .where('r.hotkey', 'in', hotkeys)
          .where('r.score', '=', 0)
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('attempts as a')
                  .select('a.id')
                  .whereRef('a.task_uuid', '=', 'r.task_uuid')
                  .where('a.error_class', 'in', ['success', 'failure']),
              ),
            ),
          )
          .execute();
  return {
    tasks: tasks.length,
    duplicates,
    lost: missing.filter((_, i) => inRedis[i] === 0).map(key),
    evaluated: tasks.length - missing.length,
    pooled: inRedis.filter((n) => n === 1).length,
    infrastructureScored: rows.filter((r) => r.error_class !== 'success' && r.error_class !== 'failure').length + unmeasured.length,
    strayJobs: await strayJobs(db, redis, prefix, tasks),
    weights: await auditWeights(db),
    slots,
  };
}

/** The audits that failed, by name (empty: the books hold). */
export function violations(books: Books): string[] {
  const failed: string[] = [];
  if (books.duplicates.length > 0) failed.push(`${books.duplicates.length} duplicate results`);
  if (books.lost.length > 0) failed.push(`${books.lost.length} tasks lost`);
  if (books.evaluated < books.tasks) failed.push(`${books.tasks - books.evaluated} tasks not evaluated`);
  if (books.infrastructureScored > 0) failed.push(`${books.infrastructureScored} infrastructure faults scored`);
  if (books.strayJobs.length > 0) failed.push(`${books.strayJobs.length} stray jobs`);
  if (books.weights.violations.length > 0) failed.push(`${books.weights.violations.length} weights rows without full coverage`);
  if (books.slots && books.slots.violations.length > 0) failed.push(`${books.slots.violations.length} slot-law violations`);
  return failed;
}

/** Whether the books hold: nothing in {@link violations}. */
export function booksHold(books: Books): boolean {
  return violations(books).length === 0;
}

/** The books in one line, for the summary table. */
export function describeBooks(books: Books): string {
  const slots = books.slots
    ? `in flight ≤ slots in ${books.slots.samples} samples (${books.slots.violations.length} violations, peak ${books.slots.peak})`
    : 'slot law n/a (tasks added by the test)';
  return [
    `${books.tasks} tasks, ${books.evaluated} evaluated, ${books.pooled} pooled, ${books.duplicates.length} duplicates, ${books.lost.length} lost`,
    `${books.infrastructureScored} infrastructure faults scored`,
    `${books.strayJobs.length} stray jobs`,
    `${books.weights.rows} weights rows (${books.weights.violations.length} without full coverage)`,
    slots,
  ].join('; ');
}

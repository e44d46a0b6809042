import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { PAUSED_CLEAN_BATCH, PAUSED_CLEAN_MAX_CALLS_PER_QUEUE } from '../config/constants.ts';
import { poolKeys, queueKey } from './pool-keys.ts';
import { parseTaskJobId } from './task-job.ts';
import type { TaskQueues } from './task-queues.ts';

/**
 * Paused tasks: jobs that failed for good (attempts spent). They hold no slot but block their own
 * re-creation, until the TTL cleanup below or ops delete them; the next tick then creates the
 * task again if it is still wanted.
 */

/** A paused task as ops see it. */
export interface PausedTask {
  readonly env: string;
  readonly jobId: string;
  readonly hotkey: string;
  readonly revision: string;
  readonly taskId: number;
  /** When it failed for good (ms since epoch). */
  readonly pausedAt: number;
  /** BullMQ's failed reason (the last attempt's error). */
  readonly reason: string | null;
}

/** Which paused tasks to select. */
export interface PausedFilter {
  readonly hotkey?: string;
  readonly env?: string;
  /** Only tasks paused at least this long ago. */
  readonly olderThanMs?: number;
}

/** Every env queue the pool has used (the registry kept by admission). */
export async function knownQueues(redis: Redis, prefix: string): Promise<string[]> {
  return (await redis.smembers(poolKeys(prefix).queues)).sort();
}

/**
 * Why an env filter names nothing, or undefined when the pool has (had) a queue for it: a
 * typo must be an error, not "0 paused tasks".
 */
export async function unknownEnvProblem(redis: Redis, prefix: string, env: string | undefined): Promise<string | undefined> {
  if (env === undefined) return undefined;
  const envs = await knownQueues(redis, prefix);
  if (envs.includes(env) || (await redis.exists(queueKey(prefix, env, 'failed'))) === 1) return undefined;
  return `unknown env "${env}": the pool has no queue for it (known: ${envs.length > 0 ? envs.join(', ') : 'none yet'})`;
}

/** Paused tasks matching `filter`, oldest first: two round trips whatever their number. */
async function listPausedTasks(
  redis: Redis,
  prefix: string,
  envs: readonly string[],
  filter: PausedFilter = {},
  now = Date.now(),
): Promise<PausedTask[]> {
  const selected = filter.env ? envs.filter((e) => e === filter.env) : envs;
  const maxScore = filter.olderThanMs === undefined ? '+inf' : String(now - filter.olderThanMs);
  const read = redis.pipeline();
  for (const env of selected) read.zrangebyscore(queueKey(prefix, env, 'failed'), '-inf', maxScore, 'WITHSCORES');
  const replies = (await read.exec()) ?? [];
  const found: Omit<PausedTask, 'reason'>[] = [];
  selected.forEach((env, i) => {
    const [error, value] = replies[i] ?? [null, []];
    if (error) throw error;
    const flat = value as string[];
    for (let j = 0; j < flat.length; j += 2) {
      const parts = parseTaskJobId(flat[j]!);
      if (!parts || parts.env !== env) continue;
      if (filter.hotkey !== undefined && parts.hotkey !== filter.hotkey) continue;
      found.push({
        env,
        jobId: flat[j]!,
        hotkey: parts.hotkey,
        revision: parts.revision,
        taskId: parts.taskId,
        pausedAt: Number(flat[j + 1]),
      });
    }
  });
  if (found.length === 0) return [];
  const reasons = redis.pipeline();
  for (const t of found) reasons.hget(queueKey(prefix, t.env, t.jobId), 'failedReason');
  const reasonReplies = (await reasons.exec()) ?? [];
  return found
    .map((t, i) => ({ ...t, reason: (reasonReplies[i]?.[1] as string | null | undefined) ?? null }))
    .sort((a, b) => a.pausedAt - b.pausedAt);
}

/**
 * Paused tasks matching `filter` in every env queue the pool has used, plus `filter.env` even if
 * it is not registered (a queue left from an older deployment): what ops list and delete.
 */
export async function findPausedTasks(redis: Redis, prefix: string, filter: PausedFilter = {}, now = Date.now()): Promise<PausedTask[]> {
  const envs = await knownQueues(redis, prefix);
  if (filter.env !== undefined && !envs.includes(filter.env)) envs.push(filter.env);
  return listPausedTasks(redis, prefix, envs, filter, now);
}

/** Deletes the given paused tasks (one round trip); returns how many were deleted. */
export async function deletePausedTasks(queues: TaskQueues, tasks: readonly PausedTask[]): Promise<number> {
  const removed = await Promise.all(tasks.map((t) => queues.get(t.env).remove(t.jobId)));
  return removed.filter((r) => r === 1).length;
}

/**
 * The paused-task TTL: deletes failed jobs that failed more than `ttlMs` ago in every given queue,
 * in batches (`queue.clean`), within a budget of calls per queue (the next run goes on). BullMQ's
 * own `removeOnFail.age` only acts when another job fails, hence this loop. Returns the count
 * deleted per env.
 */
export async function cleanExpiredPaused(
  queues: TaskQueues,
  envs: readonly string[],
  ttlMs: number,
  logger: Logger,
  signal?: AbortSignal,
): Promise<Map<string, number>> {
  const deleted = new Map<string, number>();
  for (const env of envs) {
    let total = 0;
    for (let call = 0; call < PAUSED_CLEAN_MAX_CALLS_PER_QUEUE; call++) {
      signal?.throwIfAborted();
      const ids = await queues.get(env).clean(ttlMs, PAUSED_CLEAN_BATCH, 'failed');
      total += ids.length;
      if (ids.length < PAUSED_CLEAN_BATCH) break;
    }
    if (total > 0) deleted.set(env, total);
  }
  if (deleted.size > 0) logger.info({ deleted: Object.fromEntries(deleted), ttlMs }, 'paused tasks past their TTL deleted');
  return deleted;
}

import { jobKey, type PooledTask } from './pool-snapshot.ts';
import type { TaskQueues } from './task-queues.ts';

/**
 * Which jobs leave the pool (docs/design.md, "Task lifecycle": removal). Pending jobs are removed
 * when they are no longer wanted; assigned jobs are never removed (they finish, and a result that
 * is no longer wanted simply does not count); paused jobs are removed by reconciliation only
 * (they hold no slot, and the TTL would delete them anyway).
 */

/** Why a job is removed. */
export type RemovalReason = 'miner-inactive' | 'revision-changed' | 'env-retired' | 'id-retired' | 'has-result' | 'over-slots';

/** A job to remove. */
export interface Removal {
  readonly task: PooledTask;
  readonly reason: RemovalReason;
}

/** The facts removal decisions need. */
export interface RemovalContext {
  /** Active revision of each active hotkey. */
  readonly activeRevision: ReadonlyMap<string, string>;
  /** Ids on each env's current list. */
  readonly listIds: ReadonlyMap<string, ReadonlySet<number>>;
  hasResult(task: PooledTask): boolean;
  /** Slots in effect per hotkey (for trimming pending jobs after a decrease). */
  slotsOf(hotkey: string): number;
  /** Position of a task id in its env's list (larger = rotates out later). */
  position(env: string, taskId: number): number;
}

/** Why a task is not wanted any more, if it is not. */
function unwanted(task: PooledTask, ctx: RemovalContext): RemovalReason | undefined {
  const revision = ctx.activeRevision.get(task.hotkey);
  if (revision === undefined) return 'miner-inactive';
  if (revision !== task.revision) return 'revision-changed';
  const ids = ctx.listIds.get(task.env);
  if (!ids) return 'env-retired';
  if (!ids.has(task.taskId)) return 'id-retired';
  if (ctx.hasResult(task)) return 'has-result';
  return undefined;
}

/**
 * Whether a pending job is known to have been attempted: BullMQ puts a job whose attempt failed
 * (retry with backoff), or that a worker released or parked, in `delayed`; a job the scheduler
 * created is never delayed. A heuristic read from the snapshot, so it costs nothing: an attempted
 * job can also sit in `wait` (a retry whose delay ran out, a shutdown release, a stalled job
 * returned), and then it is trimmed like a fresh one. The measured rule does not depend on it:
 * a trimmed task the miner had comes back with its history (task-history.ts).
 */
export function wasAttempted(task: PooledTask): boolean {
  return task.list === 'delayed';
}

/**
 * Order in which a miner's pending jobs are trimmed: never-attempted jobs first, retries last
 * (a retry carries what its attempts learnt: a delivered task, a parked outcome; and the trim is
 * the one removal the miner can provoke, by lowering its declared concurrency, so it should cost
 * the miner's retries as little as possible), then those that rotate out last.
 */
export function trimOrder(ctx: Pick<RemovalContext, 'position'>): (a: PooledTask, b: PooledTask) => number {
  return (a, b) => Number(wasAttempted(a)) - Number(wasAttempted(b)) || ctx.position(b.env, b.taskId) - ctx.position(a.env, a.taskId);
}

/**
 * Pending jobs to remove: unwanted ones, then, for a miner holding more than its slots (slots
 * were lowered), its pending jobs in {@link trimOrder}, until in flight fits again or nothing
 * pending is left. With `includePaused`, unwanted paused jobs too (reconciliation).
 */
export function planRemovals(tasks: readonly PooledTask[], ctx: RemovalContext, includePaused = false): Removal[] {
  const removals: Removal[] = [];
  const inFlight = new Map<string, number>();
  const keptPending = new Map<string, PooledTask[]>();
  for (const task of tasks) {
    if (task.state === 'paused') {
      const reason = includePaused ? unwanted(task, ctx) : undefined;
      if (reason) removals.push({ task, reason });
      continue;
    }
    if (task.state === 'pending') {
      const reason = unwanted(task, ctx);
      if (reason) {
        removals.push({ task, reason });
        continue;
      }
      let list = keptPending.get(task.hotkey);
      if (!list) keptPending.set(task.hotkey, (list = []));
      list.push(task);
    }
    inFlight.set(task.hotkey, (inFlight.get(task.hotkey) ?? 0) + 1);
  }
  for (const [hotkey, pending] of keptPending) {
    let excess = (inFlight.get(hotkey) ?? 0) - ctx.slotsOf(hotkey);
    if (excess <= 0) continue;
    pending.sort(trimOrder(ctx));
    for (const task of pending) {
      if (excess-- <= 0) break;
      removals.push({ task, reason: 'over-slots' });
    }
  }
  return removals;
}

/**
 * Removes jobs, all requests sent together (one round trip). BullMQ refuses to remove a locked
 * (assigned) job, so a job taken by a worker meanwhile stays and keeps counting. Returns the
 * job ids actually removed.
 */
export async function removeJobs(queues: TaskQueues, removals: readonly Removal[]): Promise<Set<string>> {
  const outcomes = await Promise.all(
    removals.map(async ({ task }) => ({
      key: jobKey(task.env, task.jobId),
      removed: (await queues.get(task.env).remove(task.jobId)) === 1,
    })),
  );
  return new Set(outcomes.filter((o) => o.removed).map((o) => o.key));
}

/** Counts removals by reason, for logs. */
export function countByReason(removals: readonly Removal[]): Partial<Record<RemovalReason, number>> {
  const counts: Partial<Record<RemovalReason, number>> = {};
  for (const r of removals) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
  return counts;
}

import { RESULT_INDEX_RELOAD_MS } from '../config/constants.ts';
import { getMinerDeclarations } from '../db/tables/miner-declarations.ts';
import { getMinerSlots } from '../db/tables/miner-slots.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { LeaseLostError } from './fenced-create.ts';
import { parseBucketField } from './hourly-cap.ts';
import { minerCapOf } from './miner-cap.ts';
import { knownQueues } from './paused-tasks.ts';
import { envsToRead, type PoolContext, removalContext } from './pool-context.ts';
import { poolKeys } from './pool-keys.ts';
import type { PoolList } from './pool-list.ts';
import { jobKey, readPoolSnapshot } from './pool-snapshot.ts';
import { PoolView } from './pool-view.ts';
import { countByReason, planRemovals, type RemovalReason, removeJobs } from './removals.ts';

/** What a reconciliation fixed. */
export interface ReconcileReport {
  /** Assigned jobs whose lock was gone, put back to pending. */
  readonly orphansRecovered: number;
  /** Jobs removed (pending and paused), by reason. */
  readonly removed: Partial<Record<RemovalReason, number>>;
  /** Hourly-cap buckets of identities or envs that are gone. */
  readonly bucketsDropped: number;
  /** Miners holding more tasks than their slots after the fixes (only after a slot decrease, by assigned tasks). */
  readonly minersOverSlots: number;
  readonly inFlight: number;
  readonly paused: number;
}

/**
 * Compares Redis with Postgres and with itself (docs/design.md, "Task lifecycle": startup), at leader
 * start and every few ticks: assigned jobs whose lock is gone go back to pending; pending and
 * paused jobs are checked against Postgres for results (and the result index read again in full
 * about hourly); jobs (pending or paused) of inactive miners, old revisions, retired ids or envs,
 * or that already have a result, are removed; buckets of gone identities are dropped; the
 * in-flight map is rebuilt from the real job states and checked against the slots. Every fix is
 * logged with counts.
 */
export async function reconcile(ctx: PoolContext, lists: readonly PoolList[], signal?: AbortSignal): Promise<ReconcileReport> {
  for (const env of await knownQueues(ctx.connection, ctx.prefix)) ctx.registered.add(env);
  const envs = envsToRead(ctx, lists);
  const orphans = await ctx.checker.recoverNow(envs);
  signal?.throwIfAborted();

  const [miners, slotRows, declarations] = await Promise.all([
    getActiveMiners(ctx.db),
    getMinerSlots(ctx.db),
    getMinerDeclarations(ctx.db),
  ]);
  const slotsOf = minerCapOf(miners, slotRows, declarations, ctx.settings.defaultSlots);
  if (Date.now() - (ctx.index.loadedAt ?? 0) > RESULT_INDEX_RELOAD_MS) ctx.index.reset();
  await ctx.index.sync(ctx.db, miners, lists);
  signal?.throwIfAborted();

  const snapshot = await readPoolSnapshot(ctx.connection, ctx.prefix, envs, { buckets: true });
  if (snapshot.leaseToken !== ctx.token) throw new LeaseLostError('the lease key holds another token');
  // Every pending or paused task is checked against Postgres: a worker may have written a result
  // and died before completing (the task came back to pending), unseen by the index.
  const waiting = snapshot.tasks.filter((t) => t.state !== 'assigned');
  if (waiting.length > 0)
    await ctx.index.learn(
      ctx.db,
      waiting.map((t) => ({ hotkey: t.hotkey, revision: t.revision, env_id: t.env, task_id: t.taskId })),
    );
  const activeRevision = new Map(miners.map((m) => [m.hotkey, m.revision]));
  const removals = planRemovals(snapshot.tasks, removalContext(ctx, lists, activeRevision, slotsOf), true);
  const removed = removals.length > 0 ? await removeJobs(ctx.queues, removals) : new Set<string>();
  const remaining = snapshot.tasks.filter((t) => !removed.has(jobKey(t.env, t.jobId)));
  const view = new PoolView(remaining);
  // What is in flight now is what the next top-up watches for results.
  ctx.previous.clear();
  for (const t of remaining)
    if (t.state !== 'paused')
      ctx.previous.set(jobKey(t.env, t.jobId), { hotkey: t.hotkey, revision: t.revision, env_id: t.env, task_id: t.taskId });

  let minersOverSlots = 0;
  for (const hotkey of view.hotkeys()) if (view.load(hotkey).total > slotsOf(hotkey)) minersOverSlots++;

  const listed = new Set(lists.map((l) => l.env_id));
  const staleBuckets = [...snapshot.buckets.keys()].filter((field) => {
    const parts = parseBucketField(field);
    return !parts || activeRevision.get(parts.hotkey) !== parts.revision || !listed.has(parts.env);
  });
  if (staleBuckets.length > 0) await ctx.connection.hdel(poolKeys(ctx.prefix).buckets, ...staleBuckets);

  const report: ReconcileReport = {
    orphansRecovered: orphans.length,
    removed: countByReason(removals),
    bucketsDropped: staleBuckets.length,
    minersOverSlots,
    inFlight: view.inFlight,
    paused: remaining.filter((t) => t.state === 'paused').length,
  };
  const fixed = report.orphansRecovered > 0 || removals.length > 0 || report.bucketsDropped > 0;
  ctx.logger[fixed ? 'info' : 'debug'](
    { ...report, removedTotal: removed.size },
    fixed ? 'reconciled the pool: fixes applied' : 'reconciled the pool: nothing to fix',
  );
  if (minersOverSlots > 0)
    ctx.logger.warn({ minersOverSlots }, 'miners hold more assigned tasks than their (lowered) slots; no new task until they finish');
  return report;
}

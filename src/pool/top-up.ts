import { performance } from 'node:perf_hooks';
import type { Miner } from '../db/schema.ts';
import { getMinerDeclarations } from '../db/tables/miner-declarations.ts';
import { getMinerSlots, type MinerSlotsRow } from '../db/tables/miner-slots.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { createTasksFenced, LeaseLostError, type NewTask } from './fenced-create.ts';
import { minerCapOf } from './miner-cap.ts';
import { envsToRead, type PoolContext, removalContext } from './pool-context.ts';
import type { PoolList } from './pool-list.ts';
import { jobKey, type PooledTask, type PoolSnapshot, readPoolSnapshot } from './pool-snapshot.ts';
import { PoolView } from './pool-view.ts';
import { countByReason, planRemovals, type Removal, type RemovalReason, removeJobs } from './removals.ts';
import { taskJobId } from './task-job.ts';
import { bucketsToWrite, TopUpBuckets } from './top-up-buckets.ts';
import { planTasks } from './top-up-plan.ts';

/** What one top-up did. */
export interface TopUpReport {
  readonly miners: number;
  /** Pending + assigned after the top-up (all miners). */
  readonly inFlight: number;
  readonly created: number;
  readonly removed: Partial<Record<RemovalReason, number>>;
  /** Miners not given tasks, by why. */
  readonly skipped: { readonly schedulingPaused: number; readonly circuitOpen: number; readonly invalid: number };
  /** Candidates dropped because Postgres already had their result (their miners were planned again). */
  readonly resultHits: number;
  readonly sqlQueries: number;
  /** Milliseconds spent per step (for the status and for tuning). */
  readonly stepsMs: {
    readonly read: number;
    readonly index: number;
    readonly remove: number;
    readonly plan: number;
    readonly create: number;
  };
}

/**
 * One top-up of the pool (the tick's pool part; docs/design.md "Per-miner slots"): removes pending jobs
 * that are no longer wanted, then, for every active miner with free slots, creates the missing
 * tasks in order of need (admission.ts) within the miner's cap (min(slots, declared): miner-cap.ts),
 * env-share and hourly caps, under the
 * creation laws of fenced-create.ts; a task the miner already had continues its measured history
 * (task-history.ts). Skips miners with `scheduling_paused` or an open circuit.
 *
 * Its phases, each timed (`stepsMs`): read, learn (`index`), remove, plan, create.
 *
 * Cost: Redis round trips are constant (snapshot, removals, guarded creation: 1 + 1 + 2), SQL
 * queries are set-based (miners, slots, declarations, results of the tasks that left the pool, candidate
 * check, the accepted candidates' measured history), whatever the number of miners. Throws
 * {@link LeaseLostError} when the lease is not this leader's.
 */
export async function topUp(ctx: PoolContext, lists: readonly PoolList[], now: number, signal?: AbortSignal): Promise<TopUpReport> {
  const lap = stepTimer();
  const pool = await readPool(ctx, lists);
  signal?.throwIfAborted();
  const read = lap();

  const learnQueries = await learnResults(ctx, lists, pool);
  signal?.throwIfAborted();
  const index = lap();

  const { removals, kept, view } = await removeUnwanted(ctx, lists, pool);
  signal?.throwIfAborted();
  const remove = lap();

  const buckets = new TopUpBuckets(pool.snapshot.buckets, lists, ctx.settings.hourlyCapMargin, now);
  const plan = await planTasks(ctx, lists, pool, view, buckets, now);
  const planMs = lap();

  const created = await createTasks(ctx, lists, pool, kept, buckets, plan.tasks, signal);
  const create = lap();

  return {
    miners: pool.miners.length,
    inFlight: view.inFlight + created,
    created,
    removed: countByReason(removals),
    skipped: plan.skipped,
    resultHits: plan.resultHits,
    sqlQueries: READ_QUERIES + learnQueries + plan.sqlQueries,
    stepsMs: { read, index, remove, plan: planMs, create },
  };
}

/** The queries of the read phase: miners, slots, declarations. */
const READ_QUERIES = 3;

/** Milliseconds since the previous call (or the timer's start), to a tenth. */
function stepTimer(): () => number {
  let mark = performance.now();
  return () => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return Math.round(ms * 10) / 10;
  };
}

/** What the read phase saw: the active miners, their slots and caps, and the pool. */
interface PoolReading {
  readonly miners: readonly Miner[];
  readonly slotRows: ReadonlyMap<string, MinerSlotsRow>;
  readonly slotsOf: (hotkey: string) => number;
  readonly activeRevision: ReadonlyMap<string, string>;
  readonly snapshot: PoolSnapshot;
}

/**
 * Read: the miners and their caps from Postgres, then the pool in one Redis snapshot. Nothing is
 * changed under a lease that is not this leader's: the snapshot carries the lease key, read in
 * the same MULTI as the tasks.
 */
async function readPool(ctx: PoolContext, lists: readonly PoolList[]): Promise<PoolReading> {
  const [miners, slotRows, declarations] = await Promise.all([
    getActiveMiners(ctx.db),
    getMinerSlots(ctx.db),
    getMinerDeclarations(ctx.db),
  ]);
  const slotsOf = minerCapOf(miners, slotRows, declarations, ctx.settings.defaultSlots);
  const snapshot = await readPoolSnapshot(ctx.connection, ctx.prefix, envsToRead(ctx, lists), {
    hotkeys: miners.map((m) => m.hotkey),
    buckets: true,
  });
  if (snapshot.leaseToken !== ctx.token) throw new LeaseLostError('the lease key holds another token');
  for (const env of snapshot.registeredQueues) ctx.registered.add(env);
  const activeRevision = new Map(miners.map((m) => [m.hotkey, m.revision]));
  return { miners, slotRows, slotsOf, activeRevision, snapshot };
}

/**
 * Learn: the result index follows the miners and lists, and learns the results of the tasks that left
 * the pool. Returns its SQL queries.
 */
async function learnResults(ctx: PoolContext, lists: readonly PoolList[], pool: PoolReading): Promise<number> {
  let queries = await ctx.index.sync(ctx.db, pool.miners, lists);
  // Tasks that left the pool since the last top-up mostly finished: learn their results.
  const present = new Set(pool.snapshot.tasks.map((t) => jobKey(t.env, t.jobId)));
  const vanished = [...ctx.previous].filter(([key]) => !present.has(key)).map(([, k]) => k);
  if (vanished.length > 0) {
    await ctx.index.learn(ctx.db, vanished);
    queries++;
  }
  return queries;
}

/** Remove: the pending jobs no longer wanted (removals.ts says which); what is kept is the pool the plan fills. */
async function removeUnwanted(
  ctx: PoolContext,
  lists: readonly PoolList[],
  pool: PoolReading,
): Promise<{ removals: Removal[]; kept: PooledTask[]; view: PoolView }> {
  const removals = planRemovals(pool.snapshot.tasks, removalContext(ctx, lists, pool.activeRevision, pool.slotsOf));
  const removed = removals.length > 0 ? await removeJobs(ctx.queues, removals) : new Set<string>();
  const kept = pool.snapshot.tasks.filter((t) => !removed.has(jobKey(t.env, t.jobId)));
  return { removals, kept, view: new PoolView(kept) };
}

/**
 * Create: the planned tasks and the buckets they paid for, in one fenced transaction
 * (fenced-create.ts: nothing is created once the lease changed). Then what is in flight is
 * remembered, so that the next top-up learns the results of the tasks gone from it. Returns how
 * many tasks were created.
 */
async function createTasks(
  ctx: PoolContext,
  lists: readonly PoolList[],
  pool: PoolReading,
  kept: readonly PooledTask[],
  buckets: TopUpBuckets,
  tasks: readonly NewTask[],
  signal: AbortSignal | undefined,
): Promise<number> {
  const spent = bucketsToWrite(pool.snapshot.tasks, buckets.touched, {
    bucketOf: (hotkey, revision, env) => buckets.of(hotkey, revision, env),
    activeRevision: pool.activeRevision,
    lists,
    hasResult: (hotkey, revision, env, id) => ctx.index.has(hotkey, revision, env, id),
  });
  signal?.throwIfAborted();
  const outcome = await createTasksFenced({
    connection: ctx.connection,
    queues: ctx.queues,
    prefix: ctx.prefix,
    token: ctx.token,
    tasks,
    jobOptions: ctx.settings.jobOptions,
    buckets: spent,
  });
  if (outcome.status === 'lease-lost') throw new LeaseLostError('the lease changed before the tasks could be created');
  for (const t of tasks) ctx.registered.add(t.data.env);
  ctx.previous.clear();
  for (const t of kept)
    if (t.state !== 'paused')
      ctx.previous.set(jobKey(t.env, t.jobId), { hotkey: t.hotkey, revision: t.revision, env_id: t.env, task_id: t.taskId });
  for (const { data } of tasks)
    ctx.previous.set(jobKey(data.env, taskJobId(data.env, data.hotkey, data.revision, data.task_id)), {
      hotkey: data.hotkey,
      revision: data.revision,
      env_id: data.env,
      task_id: data.task_id,
    });
  return outcome.created;
}

import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import { getActiveMiners } from '../db/tables/miners.ts';
import { effectiveSlots, getMinerSlots } from '../db/tables/miner-slots.ts';
import { existingResults, type ResultKey } from '../db/tables/results.ts';
import type { Miner } from '../db/schema.ts';
import { planMinerAdmissions, type Admission } from './admission.ts';
import { createTasksFenced, LeaseLostError, type NewTask } from './fenced-create.ts';
import { bucketAt, bucketField, capRule, decodeBucket, type Bucket } from './hourly-cap.ts';
import { envsToRead, removalContext, type PoolContext } from './pool-context.ts';
import type { PoolList } from './pool-list.ts';
import { readPoolSnapshot } from './pool-snapshot.ts';
import { PoolView } from './pool-view.ts';
import { countByReason, planRemovals, removeJobs, type RemovalReason } from './removals.ts';
import { TaskJobDataSchema, type TaskJobData } from './task-job.ts';

/** What one top-up did. */
export interface TopUpReport {
  readonly miners: number;
  /** Pending + assigned after the top-up (all miners). */
  readonly inFlight: number;
  readonly created: number;
  readonly removed: Partial<Record<RemovalReason, number>>;
  /** Miners not given tasks, by why. */
  readonly skipped: { readonly schedulingPaused: number; readonly circuitOpen: number; readonly invalid: number };
  /** Candidates dropped because Postgres already had their result. */
  readonly resultHits: number;
  readonly sqlQueries: number;
}

/**
 * One top-up of the pool (the tick's pool part; DESIGN.md "Per-miner slots"): removes pending jobs
 * that are no longer wanted, then, for every active miner with free slots, creates the missing
 * tasks in order of need (admission.ts) within the slot, env-share and hourly caps, under the
 * creation laws of fenced-create.ts. Skips miners with `scheduling_paused` or an open circuit.
 *
 * Cost: Redis round trips are constant (snapshot, removals, guarded creation: 1 + 1 + 2), SQL
 * queries are set-based (miners, slots, results delta, candidate check). Throws
 * {@link LeaseLostError} when the lease is not this leader's.
 */
export async function topUp(ctx: PoolContext, lists: readonly PoolList[], now: number, signal?: AbortSignal): Promise<TopUpReport> {
  let sqlQueries = 2;
  const [miners, slotRows] = await Promise.all([getActiveMiners(ctx.db), getMinerSlots(ctx.db)]);
  const slotsOf = (hotkey: string): number => effectiveSlots(slotRows.get(hotkey), ctx.settings.defaultSlots);
  const snapshot = await readPoolSnapshot(ctx.connection, ctx.prefix, envsToRead(ctx, lists), { hotkeys: miners.map((m) => m.hotkey), buckets: true });
  if (snapshot.leaseToken !== ctx.token) throw new LeaseLostError('the lease key holds another token');
  for (const env of snapshot.registeredQueues) ctx.registered.add(env);
  signal?.throwIfAborted();

  sqlQueries += await ctx.index.sync(ctx.db, miners, lists);
  signal?.throwIfAborted();

  const activeRevision = new Map(miners.map((m) => [m.hotkey, m.revision]));
  const removal = removalContext(ctx, lists, activeRevision, slotsOf);
  const listIds = removal.listIds;
  const removals = planRemovals(snapshot.tasks, removal);
  const removed = removals.length > 0 ? await removeJobs(ctx.queues, removals) : new Set<string>();
  const view = new PoolView(snapshot.tasks.filter((t) => !removed.has(`${t.env}\u0000${t.jobId}`)));
  signal?.throwIfAborted();

  const skipped = { schedulingPaused: 0, circuitOpen: 0, invalid: 0 };
  const rules = new Map(lists.map((l) => [l.env_id, capRule(l, ctx.settings.hourlyCapMargin)]));
  const buckets = new Map<string, Bucket>();
  const planned: { miner: Miner; admission: Admission }[] = [];
  for (const miner of miners) {
    const slotRow = slotRows.get(miner.hotkey);
    if (slotRow?.scheduling_paused) {
      skipped.schedulingPaused++;
      continue;
    }
    if (snapshot.openCircuits.has(miner.hotkey)) {
      skipped.circuitOpen++;
      continue;
    }
    const slots = slotsOf(miner.hotkey);
    const load = view.load(miner.hotkey);
    if (load.total >= slots) continue;
    if (!validTaskData(miner, lists[0]?.env_id, now)) {
      skipped.invalid++;
      ctx.logger.warn({ hotkey: miner.hotkey, uid: miner.uid }, 'miner skipped: its row cannot make valid task data (endpoint?)');
      continue;
    }
    const bucketOf = (env: string): Bucket => {
      const field = bucketField(miner.hotkey, miner.revision, env);
      let bucket = buckets.get(field);
      if (!bucket) {
        bucket = bucketAt(decodeBucket(snapshot.buckets.get(field)), rules.get(env)!, now);
        buckets.set(field, bucket);
      }
      return bucket;
    };
    const admissions = planMinerAdmissions(
      {
        slots,
        inFlight: load.total,
        inFlightByEnv: load.byEnv,
        blocked: (env, id) => ctx.index.has(miner.hotkey, miner.revision, env, id) || view.taken(miner.hotkey, miner.revision, env).has(id),
        missing: (env) => missingCount(ctx, view, miner, env, listIds.get(env)!),
        tokens: (env) => bucketOf(env).tokens,
      },
      lists,
      ctx.settings.maxEnvShare,
    );
    for (const admission of admissions) planned.push({ miner, admission });
  }

  // Postgres decides, not the index: drop candidates whose result exists (written since the
  // last delta read, or missed by it).
  let resultHits = 0;
  let accepted = planned;
  if (planned.length > 0) {
    const keyOf = (p: (typeof planned)[number]): ResultKey => ({ hotkey: p.miner.hotkey, revision: p.miner.revision, env_id: p.admission.env, task_id: p.admission.taskId });
    const hits = await existingResults(ctx.db, planned.map(keyOf));
    sqlQueries++;
    if (hits.length > 0) {
      const hit = new Set(hits.map((h) => `${h.hotkey}\u0000${h.revision}\u0000${h.env_id}\u0000${h.task_id}`));
      for (const h of hits) ctx.index.add(h.hotkey, h.revision, h.env_id, h.task_id);
      accepted = planned.filter((p) => !hit.has(`${p.miner.hotkey}\u0000${p.miner.revision}\u0000${p.admission.env}\u0000${p.admission.taskId}`));
      resultHits = hits.length;
    }
  }

  const tasks: NewTask[] = [];
  const spent = new Map<string, Bucket>();
  for (const { miner, admission } of accepted) {
    tasks.push({ data: taskData(miner, admission, now) });
    const field = bucketField(miner.hotkey, miner.revision, admission.env);
    const bucket = spent.get(field) ?? buckets.get(field)!;
    spent.set(field, { tokens: bucket.tokens - 1, updatedAt: now });
  }
  signal?.throwIfAborted();
  const outcome = await createTasksFenced({ connection: ctx.connection, queues: ctx.queues, prefix: ctx.prefix, token: ctx.token, tasks, jobOptions: ctx.settings.jobOptions, buckets: spent });
  if (outcome.status === 'lease-lost') throw new LeaseLostError('the lease changed before the tasks could be created');
  for (const t of tasks) ctx.registered.add(t.data.env);

  return { miners: miners.length, inFlight: view.inFlight + outcome.created, created: outcome.created, removed: countByReason(removals), skipped, resultHits, sqlQueries };
}

/**
 * Ids of the env's list that the identity still lacks: list size minus the union of known
 * results, in-flight and paused ids on the list (exact, so that zero safely skips the scan).
 */
function missingCount(ctx: PoolContext, view: PoolView, miner: Miner, env: string, onList: ReadonlySet<number>): number {
  let blocked = ctx.index.count(miner.hotkey, miner.revision, env);
  for (const id of view.taken(miner.hotkey, miner.revision, env)) if (onList.has(id) && !ctx.index.has(miner.hotkey, miner.revision, env, id)) blocked++;
  return onList.size - blocked;
}

function taskData(miner: Miner, admission: Admission, now: number): TaskJobData {
  return {
    env: admission.env,
    task_id: admission.taskId,
    task_uuid: randomUUID(),
    uid: miner.uid,
    hotkey: miner.hotkey,
    revision: miner.revision,
    endpoint: miner.endpoint,
    created_at: now,
  };
}

/** A miner whose row cannot make valid job data (bad endpoint, ...) gets no tasks. */
function validTaskData(miner: Miner, env: string | undefined, now: number): boolean {
  if (env === undefined) return true;
  return v.safeParse(TaskJobDataSchema, taskData(miner, { env, taskId: 0 }, now)).success;
}

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as v from 'valibot';
import type { Miner } from '../db/schema.ts';
import { getMinerDeclarations } from '../db/tables/miner-declarations.ts';
import { getMinerSlots } from '../db/tables/miner-slots.ts';
import { getActiveMiners } from '../db/tables/miners.ts';
import { resultIdentityKey } from '../db/tables/results.ts';
import { type Admission, planMinerAdmissions } from './admission.ts';
import { createTasksFenced, LeaseLostError, type NewTask } from './fenced-create.ts';
import { type Bucket, bucketAt, bucketField, capRule, charge, decodeBucket, parseBucketField, withPaid } from './hourly-cap.ts';
import { minerCapOf } from './miner-cap.ts';
import { envsToRead, type PoolContext, removalContext } from './pool-context.ts';
import type { PoolList } from './pool-list.ts';
import { jobKey, type PooledTask, readPoolSnapshot } from './pool-snapshot.ts';
import { PoolView } from './pool-view.ts';
import { countByReason, planRemovals, type RemovalReason, removeJobs } from './removals.ts';
import { type Continuation, continuationsOf } from './task-history.ts';
import { type TaskJobData, TaskJobDataSchema, taskJobId } from './task-job.ts';

/** Planning rounds per top-up: a round re-plans the miners whose candidates had a result. */
const MAX_ROUNDS = 3;

/** A miner being planned: its load grows with each accepted task. */
interface MinerPlan {
  readonly miner: Miner;
  readonly slots: number;
  inFlight: number;
  readonly byEnv: Map<string, number>;
  /** Ids accepted in earlier rounds, per env. */
  readonly accepted: Map<string, Set<number>>;
}

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
 * One top-up of the pool (the tick's pool part; DESIGN.md "Per-miner slots"): removes pending jobs
 * that are no longer wanted, then, for every active miner with free slots, creates the missing
 * tasks in order of need (admission.ts) within the miner's cap (min(slots, declared): miner-cap.ts),
 * env-share and hourly caps, under the
 * creation laws of fenced-create.ts; a task the miner already had continues its measured history
 * (task-history.ts). Skips miners with `scheduling_paused` or an open circuit.
 *
 * Cost: Redis round trips are constant (snapshot, removals, guarded creation: 1 + 1 + 2), SQL
 * queries are set-based (miners, slots, declarations, results of the tasks that left the pool, candidate
 * check, the accepted candidates' measured history), whatever the number of miners. Throws
 * {@link LeaseLostError} when the lease is not this leader's.
 */
export async function topUp(ctx: PoolContext, lists: readonly PoolList[], now: number, signal?: AbortSignal): Promise<TopUpReport> {
  let sqlQueries = 3;
  let mark = performance.now();
  const lap = (): number => {
    const now = performance.now();
    const ms = now - mark;
    mark = now;
    return Math.round(ms * 10) / 10;
  };
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
  signal?.throwIfAborted();
  const read = lap();

  sqlQueries += await ctx.index.sync(ctx.db, miners, lists);
  // Tasks that left the pool since the last top-up mostly finished: learn their results.
  const present = new Set(snapshot.tasks.map((t) => jobKey(t.env, t.jobId)));
  const vanished = [...ctx.previous].filter(([key]) => !present.has(key)).map(([, k]) => k);
  if (vanished.length > 0) {
    await ctx.index.learn(ctx.db, vanished);
    sqlQueries++;
  }
  signal?.throwIfAborted();
  const index = lap();

  const activeRevision = new Map(miners.map((m) => [m.hotkey, m.revision]));
  const removals = planRemovals(snapshot.tasks, removalContext(ctx, lists, activeRevision, slotsOf));
  const removed = removals.length > 0 ? await removeJobs(ctx.queues, removals) : new Set<string>();
  const kept = snapshot.tasks.filter((t) => !removed.has(jobKey(t.env, t.jobId)));
  const view = new PoolView(kept);
  signal?.throwIfAborted();
  const remove = lap();

  const skipped = { schedulingPaused: 0, circuitOpen: 0, invalid: 0 };
  const rules = new Map(lists.map((l) => [l.env_id, capRule(l, ctx.settings.hourlyCapMargin)]));
  const buckets = new Map<string, Bucket>();
  const bucketOf = (hotkey: string, revision: string, env: string): Bucket => {
    const field = bucketField(hotkey, revision, env);
    let bucket = buckets.get(field);
    if (!bucket) buckets.set(field, (bucket = bucketAt(decodeBucket(snapshot.buckets.get(field)), rules.get(env)!, now)));
    return bucket;
  };
  let round: MinerPlan[] = [];
  for (const miner of miners) {
    if (slotRows.get(miner.hotkey)?.scheduling_paused) {
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
    round.push({ miner, slots, inFlight: load.total, byEnv: new Map(load.byEnv), accepted: new Map() });
  }

  // Postgres decides, not the index: candidates whose result exists are dropped (and learnt),
  // and their miners planned again, at most MAX_ROUNDS times.
  const accepted: { miner: Miner; admission: Admission }[] = [];
  const touched = new Set<string>();
  let resultHits = 0;
  for (let rounds = 0; rounds < MAX_ROUNDS && round.length > 0; rounds++) {
    const planned: { plan: MinerPlan; admission: Admission }[] = [];
    for (const p of round) {
      const { miner } = p;
      const takenSets = new Map<string, ReadonlySet<number>>();
      const takenOf = (env: string): ReadonlySet<number> => {
        let set = takenSets.get(env);
        if (!set) takenSets.set(env, (set = view.taken(miner.hotkey, miner.revision, env)));
        return set;
      };
      const admissions = planMinerAdmissions(
        {
          slots: p.slots,
          inFlight: p.inFlight,
          inFlightByEnv: p.byEnv,
          candidates: (env) => ctx.index.missing(miner.hotkey, miner.revision, env),
          taken: (env, id) => takenOf(env).has(id) || (p.accepted.get(env)?.has(id) ?? false),
          tokens: (env) => bucketOf(miner.hotkey, miner.revision, env).tokens,
          paid: (env, id) => bucketOf(miner.hotkey, miner.revision, env).paid.has(id),
        },
        lists,
        ctx.settings.maxEnvShare,
      );
      for (const admission of admissions) planned.push({ plan: p, admission });
    }
    if (planned.length === 0) break;
    const key = (hotkey: string, revision: string, env: string, taskId: number): string =>
      `${hotkey}\u0000${revision}\u0000${env}\u0000${taskId}`;
    const hits = await ctx.index.learn(
      ctx.db,
      planned.map(({ plan: { miner }, admission }) => ({
        hotkey: miner.hotkey,
        revision: miner.revision,
        env_id: admission.env,
        task_id: admission.taskId,
      })),
    );
    sqlQueries++;
    const hit = new Set(hits.map((h) => key(h.hotkey, h.revision, h.env_id, h.task_id)));
    const again = new Set<MinerPlan>();
    for (const { plan: p, admission } of planned) {
      if (hit.has(key(p.miner.hotkey, p.miner.revision, admission.env, admission.taskId))) {
        resultHits++;
        again.add(p);
        continue;
      }
      accepted.push({ miner: p.miner, admission });
      p.inFlight++;
      p.byEnv.set(admission.env, (p.byEnv.get(admission.env) ?? 0) + 1);
      let ids = p.accepted.get(admission.env);
      if (!ids) p.accepted.set(admission.env, (ids = new Set()));
      ids.add(admission.taskId);
      const bucket = bucketOf(p.miner.hotkey, p.miner.revision, admission.env);
      const after = charge(bucket, admission.taskId);
      if (after !== bucket) {
        const field = bucketField(p.miner.hotkey, p.miner.revision, admission.env);
        buckets.set(field, after);
        touched.add(field);
      }
    }
    round = [...again];
  }

  // Tasks the miner already had continue from their attempts, not from scratch (task-history.ts).
  const identities = accepted.map(({ miner, admission }) => ({
    hotkey: miner.hotkey,
    revision: miner.revision,
    env_id: admission.env,
    task_id: admission.taskId,
  }));
  const continuations =
    identities.length > 0
      ? await continuationsOf(ctx.db, identities, ctx.settings.jobOptions.attempts ?? 1)
      : new Map<string, Continuation>();
  if (identities.length > 0) sqlQueries++;
  const plan = lap();
  const tasks: NewTask[] = accepted.map(({ miner, admission }, i) => {
    const continuation = continuations.get(resultIdentityKey(identities[i]!));
    const data = taskData(miner, admission, now);
    return continuation ? { data: { ...data, ...continuation.data }, attempts: continuation.attempts } : { data };
  });
  const spent = bucketsToWrite(snapshot.tasks, touched, {
    bucketOf,
    activeRevision,
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
  const create = lap();

  return {
    miners: miners.length,
    inFlight: view.inFlight + outcome.created,
    created: outcome.created,
    removed: countByReason(removals),
    skipped,
    resultHits,
    sqlQueries,
    stepsMs: { read, index, remove, plan, create },
  };
}

/**
 * The hourly-cap buckets this top-up writes (with its creation, in one transaction): those that
 * paid for new ids, and those of active identities whose tasks in the pool are missing from their
 * paid ids (tasks created before the record existed, or by an older leader): a task in the pool
 * was created, so its id was given. Each written bucket keeps only paid ids on the env's current
 * list without a known result (hourly-cap.ts).
 */
function bucketsToWrite(
  pooled: readonly PooledTask[],
  touched: ReadonlySet<string>,
  facts: {
    bucketOf(hotkey: string, revision: string, env: string): Bucket;
    readonly activeRevision: ReadonlyMap<string, string>;
    readonly lists: readonly PoolList[];
    hasResult(hotkey: string, revision: string, env: string, taskId: number): boolean;
  },
): Map<string, Bucket> {
  const listIds = new Map(facts.lists.map((l) => [l.env_id, new Set(l.task_ids)]));
  const kept = (hotkey: string, revision: string, env: string, id: number): boolean =>
    (listIds.get(env)?.has(id) ?? false) && !facts.hasResult(hotkey, revision, env, id);
  const given = new Map<string, number[]>();
  for (const field of touched) given.set(field, []);
  for (const t of pooled) {
    if (facts.activeRevision.get(t.hotkey) !== t.revision || !kept(t.hotkey, t.revision, t.env, t.taskId)) continue;
    if (facts.bucketOf(t.hotkey, t.revision, t.env).paid.has(t.taskId)) continue;
    const field = bucketField(t.hotkey, t.revision, t.env);
    let ids = given.get(field);
    if (!ids) given.set(field, (ids = []));
    ids.push(t.taskId);
  }
  const out = new Map<string, Bucket>();
  for (const [field, ids] of given) {
    const { hotkey, revision, env } = parseBucketField(field)!;
    out.set(
      field,
      withPaid(facts.bucketOf(hotkey, revision, env), ids, (id) => kept(hotkey, revision, env, id)),
    );
  }
  return out;
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

import { randomUUID } from 'node:crypto';
import * as v from 'valibot';
import type { Miner } from '../db/schema.ts';
import type { MinerSlotsRow } from '../db/tables/miner-slots.ts';
import { resultIdentityKey } from '../db/tables/results.ts';
import { type Admission, planMinerAdmissions } from './admission.ts';
import type { NewTask } from './fenced-create.ts';
import type { PoolContext } from './pool-context.ts';
import type { PoolList } from './pool-list.ts';
import type { PoolSnapshot } from './pool-snapshot.ts';
import type { PoolView } from './pool-view.ts';
import { type Continuation, continuationsOf } from './task-history.ts';
import { type TaskJobData, TaskJobDataSchema } from './task-job.ts';
import type { TopUpBuckets } from './top-up-buckets.ts';

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

/** What the plan phase reads of the pool: the active miners, their slots and caps, the open circuits. */
export interface PlanInput {
  readonly miners: readonly Miner[];
  readonly slotRows: ReadonlyMap<string, MinerSlotsRow>;
  readonly slotsOf: (hotkey: string) => number;
  readonly snapshot: Pick<PoolSnapshot, 'openCircuits'>;
}

/** What the plan phase decided. */
export interface TopUpPlan {
  readonly tasks: NewTask[];
  /** Miners not given tasks, by why. */
  readonly skipped: { readonly schedulingPaused: number; readonly circuitOpen: number; readonly invalid: number };
  readonly resultHits: number;
  readonly sqlQueries: number;
}

/**
 * Plan: the miners that may get tasks, their admissions (checked against Postgres), and for each
 * accepted task its measured history. Tasks the miner already had continue from their attempts,
 * not from scratch (task-history.ts).
 */
export async function planTasks(
  ctx: PoolContext,
  lists: readonly PoolList[],
  pool: PlanInput,
  view: PoolView,
  buckets: TopUpBuckets,
  now: number,
): Promise<TopUpPlan> {
  const { round, skipped } = minersToPlan(ctx, lists, pool, view, now);
  const admitted = await admit(ctx, lists, round, view, buckets);
  let sqlQueries = admitted.sqlQueries;
  const identities = admitted.accepted.map(({ miner, admission }) => ({
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
  const tasks: NewTask[] = admitted.accepted.map(({ miner, admission }, i) => {
    const continuation = continuations.get(resultIdentityKey(identities[i]!));
    const data = taskData(miner, admission, now);
    return continuation ? { data: { ...data, ...continuation.data }, attempts: continuation.attempts } : { data };
  });
  return { tasks, skipped, resultHits: admitted.resultHits, sqlQueries };
}

/** The miners with free slots that may get tasks: not `scheduling_paused`, circuit closed, a row that makes valid task data. */
function minersToPlan(
  ctx: PoolContext,
  lists: readonly PoolList[],
  pool: PlanInput,
  view: PoolView,
  now: number,
): { round: MinerPlan[]; skipped: { schedulingPaused: number; circuitOpen: number; invalid: number } } {
  const skipped = { schedulingPaused: 0, circuitOpen: 0, invalid: 0 };
  const round: MinerPlan[] = [];
  for (const miner of pool.miners) {
    if (pool.slotRows.get(miner.hotkey)?.scheduling_paused) {
      skipped.schedulingPaused++;
      continue;
    }
    if (pool.snapshot.openCircuits.has(miner.hotkey)) {
      skipped.circuitOpen++;
      continue;
    }
    const slots = pool.slotsOf(miner.hotkey);
    const load = view.load(miner.hotkey);
    if (load.total >= slots) continue;
    if (!validTaskData(miner, lists[0]?.env_id, now)) {
      skipped.invalid++;
      ctx.logger.warn({ hotkey: miner.hotkey, uid: miner.uid }, 'miner skipped: its row cannot make valid task data (endpoint?)');
      continue;
    }
    round.push({ miner, slots, inFlight: load.total, byEnv: new Map(load.byEnv), accepted: new Map() });
  }
  return { round, skipped };
}

/**
 * Each miner's admissions (admission.ts), in rounds. Postgres decides, not the index: candidates
 * whose result exists are dropped (and learnt), and their miners planned again, at most
 * MAX_ROUNDS times. An accepted task is charged to its hourly bucket.
 */
async function admit(
  ctx: PoolContext,
  lists: readonly PoolList[],
  first: MinerPlan[],
  view: PoolView,
  buckets: TopUpBuckets,
): Promise<{ accepted: { miner: Miner; admission: Admission }[]; resultHits: number; sqlQueries: number }> {
  const accepted: { miner: Miner; admission: Admission }[] = [];
  let resultHits = 0;
  let sqlQueries = 0;
  let round = first;
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
          tokens: (env) => buckets.of(miner.hotkey, miner.revision, env).tokens,
          paid: (env, id) => buckets.of(miner.hotkey, miner.revision, env).paid.has(id),
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
      buckets.charge(p.miner.hotkey, p.miner.revision, admission.env, admission.taskId);
    }
    round = [...again];
  }
  return { accepted, resultHits, sqlQueries };
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

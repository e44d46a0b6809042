import type { JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../db/schema.ts';
import type { ResultIdentity } from '../db/tables/results.ts';
import type { PoolList } from './pool-list.ts';
import type { PooledTask } from './pool-snapshot.ts';
import type { RemovalContext } from './removals.ts';
import type { ResultIndex } from './result-index.ts';
import type { StalledChecker } from './stalled-checker.ts';
import type { TaskQueues } from './task-queues.ts';

/** Settings of the pool, from the config's `scheduler` and `slots` sections. */
export interface PoolSettings {
  readonly defaultSlots: number;
  readonly maxEnvShare: number;
  readonly hourlyCapMargin: number;
  readonly pausedTtlMs: number;
  readonly jobOptions: JobsOptions;
}

/** What the pool's operations share during one leadership term. */
export interface PoolContext {
  readonly db: Kysely<Database>;
  /** The fenced connection (`createRedis(…, 'fenced')` in runtime/redis.ts); the queues run on it. */
  readonly connection: Redis;
  readonly queues: TaskQueues;
  readonly prefix: string;
  readonly index: ResultIndex;
  readonly checker: StalledChecker;
  readonly settings: PoolSettings;
  readonly logger: Logger;
  /** Env queues known to hold jobs (the registry, plus the lists' envs). */
  readonly registered: Set<string>;
  /** This leader's lease token. */
  readonly token: string;
  /**
   * Tasks in flight after the previous top-up (including those it created), by job key: those
   * gone from the next snapshot are the ones whose results the index must learn.
   */
  readonly previous: Map<string, ResultIdentity>;
}

/** The env queues to look at: the lists' envs and every queue ever used. */
export function envsToRead(ctx: PoolContext, lists: readonly PoolList[]): string[] {
  return [...new Set([...lists.map((l) => l.env_id), ...ctx.registered])].sort();
}

/** The facts removal decisions need, from the active miners, lists, index and slots. */
export function removalContext(
  ctx: PoolContext,
  lists: readonly PoolList[],
  activeRevision: ReadonlyMap<string, string>,
  slotsOf: (hotkey: string) => number,
): RemovalContext {
  const listIds = new Map(lists.map((l) => [l.env_id, new Set(l.task_ids)]));
  const positions = new Map(lists.map((l) => [l.env_id, new Map(l.task_ids.map((id, i) => [id, i]))]));
  return {
    activeRevision,
    listIds,
    hasResult: (t: PooledTask) => ctx.index.has(t.hotkey, t.revision, t.env, t.taskId),
    slotsOf,
    position: (env, taskId) => positions.get(env)?.get(taskId) ?? 0,
  };
}

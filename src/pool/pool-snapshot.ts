import type { Redis } from 'ioredis';
import { poolKeys, queueKey } from './pool-keys.ts';
import { parseTaskJobId } from './task-job.ts';

/** The key of a job across queues (job ids are unique within a queue only). */
export function jobKey(env: string, jobId: string): string {
  return `${env}\u0000${jobId}`;
}

/** A task's state in the pool (docs/design.md, "Task lifecycle"). */
export type PoolState = 'pending' | 'assigned' | 'paused';

/** One job of the pool, identified by its job id. */
export interface PooledTask {
  readonly env: string;
  readonly jobId: string;
  readonly hotkey: string;
  readonly revision: string;
  readonly taskId: number;
  readonly state: PoolState;
  /** BullMQ list the job was found in (`wait`, `delayed`, `active`, `failed`, ...). */
  readonly list: string;
  /** For paused tasks: when the job failed for good (ms since epoch). */
  readonly pausedAt?: number;
}

/** Everything the tick reads from Redis, taken atomically (one MULTI, one round trip). */
export interface PoolSnapshot {
  /** Token in the lease key when the snapshot was taken (null: nobody leads). */
  readonly leaseToken: string | null;
  readonly tasks: readonly PooledTask[];
  /** Job ids that are not task ids (foreign jobs); the pool ignores them. */
  readonly foreign: number;
  /** Raw hourly-cap buckets by field (see hourly-cap.ts). */
  readonly buckets: ReadonlyMap<string, string>;
  /** Hotkeys whose circuit breaker is open (workers publish these keys with a TTL). */
  readonly openCircuits: ReadonlyMap<string, number>;
  /** Env queues ever used (registry kept by admission). */
  readonly registeredQueues: readonly string[];
}

/** BullMQ lists of a queue and the pool state a job in them is in. */
const LISTS: readonly { name: string; kind: 'list' | 'zset'; state: PoolState }[] = [
  { name: 'wait', kind: 'list', state: 'pending' },
  { name: 'paused', kind: 'list', state: 'pending' },
  { name: 'prioritized', kind: 'zset', state: 'pending' },
  { name: 'delayed', kind: 'zset', state: 'pending' },
  { name: 'active', kind: 'list', state: 'assigned' },
  { name: 'failed', kind: 'zset', state: 'paused' },
];

/** What to read besides the queues. */
export interface SnapshotOptions {
  readonly hotkeys?: readonly string[];
  readonly buckets?: boolean;
}

/**
 * Reads the state lists of every given env queue, the lease, the open circuits and the hourly-cap
 * buckets in one MULTI. The MULTI matters: a job moving from `wait` to `active` between two
 * separate reads could be missed, and the slot law needs in-flight counts that never under-count.
 * Cost: one round trip; data proportional to the jobs in the pool (bounded by the slots) plus
 * paused jobs, not to the lists.
 */
export async function readPoolSnapshot(
  redis: Redis,
  prefix: string,
  envs: readonly string[],
  options: SnapshotOptions = {},
): Promise<PoolSnapshot> {
  const keys = poolKeys(prefix);
  const multi = redis.multi();
  multi.get(keys.lease);
  multi.smembers(keys.queues);
  if (options.buckets) multi.hgetall(keys.buckets);
  const hotkeys = options.hotkeys ?? [];
  if (hotkeys.length > 0) multi.mget(hotkeys.map((h) => keys.circuit(h)));
  for (const env of envs) {
    for (const list of LISTS) {
      const key = queueKey(prefix, env, list.name);
      if (list.kind === 'list') multi.lrange(key, 0, -1);
      else if (list.state === 'paused') multi.zrange(key, '0', '-1', 'WITHSCORES');
      else multi.zrange(key, '0', '-1');
    }
  }
  const replies = await multi.exec();
  if (!replies) throw new Error('the pool snapshot transaction was aborted');
  let at = 0;
  const next = (): unknown => {
    const [error, value] = replies[at++] ?? [new Error('missing reply'), null];
    if (error) throw error;
    return value;
  };

  const leaseToken = next() as string | null;
  const registeredQueues = next() as string[];
  const buckets = new Map<string, string>(options.buckets ? Object.entries(next() as Record<string, string>) : []);
  // Each key holds the time its circuit may half-open (ms since epoch): see circuit-keys.ts.
  const openCircuits = new Map<string, number>();
  if (hotkeys.length > 0) (next() as (string | null)[]).forEach((v, i) => v !== null && openCircuits.set(hotkeys[i]!, Number(v)));

  const tasks: PooledTask[] = [];
  const seen = new Set<string>();
  let foreign = 0;
  for (const env of envs) {
    for (const list of LISTS) {
      const ids = next() as string[];
      const step = list.state === 'paused' ? 2 : 1;
      for (let i = 0; i < ids.length; i += step) {
        const jobId = ids[i]!;
        const parts = parseTaskJobId(jobId);
        if (!parts || parts.env !== env) {
          foreign++;
          continue;
        }
        const uniqueKey = jobKey(env, jobId);
        if (seen.has(uniqueKey)) continue;
        seen.add(uniqueKey);
        tasks.push({
          env,
          jobId,
          hotkey: parts.hotkey,
          revision: parts.revision,
          taskId: parts.taskId,
          state: list.state,
          list: list.name,
          ...(step === 2 ? { pausedAt: Number(ids[i + 1]) } : {}),
        });
      }
    }
  }
  return { leaseToken, tasks, foreign, buckets, openCircuits, registeredQueues };
}

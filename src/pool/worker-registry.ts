// The worker registry: every worker process (and every inline worker set of `serve`) announces
// itself and heartbeats in Redis, so that operators see who consumes which queue. Two keys per
// worker under the pool's prefix:
//
//   ${prefix}:workers         hash, id → the last heartbeat (JSON); survives the worker, so that a
//                             worker that vanished is shown as gone (pruned after a retention)
//   ${prefix}:worker:${id}    liveness: rewritten at each heartbeat with a TTL of
//                             WORKER_HEARTBEAT_MISSES periods, so a killed worker's key expires
//
// States: live (key present, beat within two periods), stale (key present, a beat missed: the
// process is stuck or Redis is slow), gone (key expired, or the worker stopped and deleted it).
import type { Redis } from 'ioredis';
import { WORKER_GONE_RETENTION_MS, WORKER_HEARTBEAT_MISSES } from '../config/constants.ts';
import { poolKeys } from './pool-keys.ts';

/** What a worker publishes at each heartbeat. Times are ms since epoch. */
export interface WorkerHeartbeatRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  /** Env queues it consumes. */
  readonly envs: readonly string[];
  /** Evaluations at once per env queue. */
  readonly concurrency: number;
  /** evalpool version it runs. */
  readonly version: string;
  /** `worker` (a process of its own) or `inline` (inside `serve`). */
  readonly kind: 'worker' | 'inline';
  readonly startedAt: number;
  readonly lastSeenAt: number;
  /** Its heartbeat period: others judge its liveness by its own period. */
  readonly heartbeatMs: number;
  /** Finished attempts since it started, by error class. */
  readonly episodes: Readonly<Record<string, number>>;
  /** Evaluations running at the heartbeat. */
  readonly inFlight: number;
  /** Set when it stopped cleanly. */
  readonly stoppedAt?: number;
}

/** Liveness of a worker as others see it. */
export type WorkerState = 'live' | 'stale' | 'gone';

/** A registered worker with its state. */
export interface RegisteredWorker extends WorkerHeartbeatRecord {
  readonly state: WorkerState;
}

/** How long a worker's liveness key lives: the period × the misses allowed. */
export function heartbeatTimeoutMs(heartbeatMs: number): number {
  return heartbeatMs * WORKER_HEARTBEAT_MISSES;
}

/** Writes one heartbeat: the record and the liveness key with its TTL, in one MULTI. */
export async function publishHeartbeat(redis: Redis, prefix: string, record: WorkerHeartbeatRecord): Promise<void> {
  const keys = poolKeys(prefix);
  await redis
    .multi()
    .hset(keys.workers, record.id, JSON.stringify(record))
    .set(keys.worker(record.id), String(record.lastSeenAt), 'PX', heartbeatTimeoutMs(record.heartbeatMs))
    .exec();
}

/** A clean stop: the record keeps its last counts with `stoppedAt`, and the liveness key goes at once. */
export async function publishStopped(redis: Redis, prefix: string, record: WorkerHeartbeatRecord): Promise<void> {
  const keys = poolKeys(prefix);
  await redis.multi().hset(keys.workers, record.id, JSON.stringify(record)).del(keys.worker(record.id)).exec();
}

function parseRecord(raw: string): WorkerHeartbeatRecord | undefined {
  try {
    const r = JSON.parse(raw) as WorkerHeartbeatRecord;
    return typeof r.id === 'string' && typeof r.lastSeenAt === 'number' && Array.isArray(r.envs) ? r : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Every worker seen within the retention, with its state, ordered live first then by id. Two
 * round trips. Records gone for longer than the retention (or unreadable) are deleted here.
 */
export async function readWorkers(redis: Redis, prefix: string, now: number = Date.now()): Promise<RegisteredWorker[]> {
  const keys = poolKeys(prefix);
  const all = await redis.hgetall(keys.workers);
  const ids = Object.keys(all);
  if (ids.length === 0) return [];
  const alive = await redis.mget(ids.map((id) => keys.worker(id)));
  const workers: RegisteredWorker[] = [];
  const forget: string[] = [];
  ids.forEach((id, i) => {
    const record = parseRecord(all[id]!);
    if (!record) return void forget.push(id);
    let state: WorkerState;
    if (alive[i] === null || record.stoppedAt !== undefined) state = 'gone';
    else state = now - record.lastSeenAt > 2 * record.heartbeatMs ? 'stale' : 'live';
    if (state === 'gone' && now - record.lastSeenAt > WORKER_GONE_RETENTION_MS) return void forget.push(id);
    workers.push({ ...record, state });
  });
  if (forget.length > 0) await redis.hdel(keys.workers, ...forget);
  const rank: Record<WorkerState, number> = { live: 0, stale: 1, gone: 2 };
  return workers.sort((a, b) => rank[a.state] - rank[b.state] || a.id.localeCompare(b.id));
}

/**
 * Which of `ids` have their liveness key (live or stale: beating, or not yet 3 beats late), in
 * one round trip; a worker killed long enough ago, or stopped, has none.
 */
export async function workersWithLiveness(redis: Redis, prefix: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const keys = poolKeys(prefix);
  const alive = await redis.mget(ids.map((id) => keys.worker(id)));
  return new Set(ids.filter((_, i) => alive[i] !== null));
}

/** Envs consumed by at least one live worker. */
export function consumedEnvs(workers: readonly RegisteredWorker[]): Set<string> {
  return new Set(workers.filter((w) => w.state === 'live').flatMap((w) => w.envs));
}

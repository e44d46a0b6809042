/**
 * Redis keys the pool writes besides BullMQ's own (`${prefix}:${queue}:...`). Every key starts
 * with the configured prefix so that deployments can share one Redis. BullMQ queue names are env
 * ids, which contain no `:`, so these names cannot collide with a queue's keys.
 */
export interface PoolKeys {
  /** The scheduler lease: holds the leader's token, expires unless renewed. */
  readonly lease: string;
  /** Hash: the scheduler's status, readable by any replica. */
  readonly status: string;
  /** Hash: hourly-cap buckets, one field per (hotkey, revision, env). */
  readonly buckets: string;
  /** Set: every env queue the scheduler ever added to (so ops and reconciliation find them all). */
  readonly queues: string;
  /** Open circuit of a miner (written by workers with a TTL; the scheduler only reads it). */
  circuit(hotkey: string): string;
  /** Hash: the last heartbeat of every worker seen lately, by worker id (kept after it is gone, for a while). */
  readonly workers: string;
  /** A worker's liveness: set with a TTL at each heartbeat, so that a killed worker's key expires. */
  worker(id: string): string;
}

/** The pool's keys under `prefix`. */
export function poolKeys(prefix: string): PoolKeys {
  return {
    lease: `${prefix}:scheduler:lease`,
    status: `${prefix}:scheduler:status`,
    buckets: `${prefix}:pool:buckets`,
    queues: `${prefix}:pool:queues`,
    circuit: (hotkey) => `${prefix}:circuit:${hotkey}`,
    workers: `${prefix}:workers`,
    worker: (id) => `${prefix}:worker:${id}`,
  };
}

/** A BullMQ key of one env queue, e.g. `queueKey(p, 'mujoco/reach-v1', 'wait')`. */
export function queueKey(prefix: string, queue: string, suffix: string): string {
  return `${prefix}:${queue}:${suffix}`;
}

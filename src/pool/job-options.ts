import type { JobsOptions } from 'bullmq';
import { POOL_MAX_STALLED_COUNT } from '../config/constants.ts';
import type { Config } from '../config/schema.ts';

/** The scheduler settings the job options depend on. */
export type JobOptionSettings = Pick<Config['scheduler'], 'taskAttempts' | 'taskBackoffMs'>;

/**
 * Options of every task job. Success removes the job (the result is in Postgres); a job whose
 * attempts are spent stays as failed, which is the pool's "paused" state, until the paused-task
 * TTL or ops delete it.
 */
export function taskJobOptions(settings: JobOptionSettings): JobsOptions {
  return {
    attempts: settings.taskAttempts,
    backoff: { type: 'exponential', delay: settings.taskBackoffMs },
    removeOnComplete: true,
    removeOnFail: false,
  };
}

/** The lock and stalled-check settings every BullMQ `Worker` on the task queues must use. */
export interface PoolWorkerOptions {
  readonly lockDuration: number;
  readonly stalledInterval: number;
  readonly maxStalledCount: number;
}

/**
 * Worker options shared by task consumers and the leader's stalled checker. The stalled check
 * runs at least twice per lock duration, so that a job whose worker died is pending again within
 * 2 × the lock duration (marked at one check, moved at the first check after its lock expired).
 */
export function poolWorkerOptions(settings: Pick<Config['scheduler'], 'lockDurationMs' | 'stalledIntervalMs'>): PoolWorkerOptions {
  return {
    lockDuration: settings.lockDurationMs,
    stalledInterval: Math.min(settings.stalledIntervalMs, Math.floor(settings.lockDurationMs / 2)),
    maxStalledCount: POOL_MAX_STALLED_COUNT,
  };
}

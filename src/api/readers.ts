import type { Logger } from 'pino';
import { DeadlineError, withDeadline } from '../runtime/deadline.ts';

/**
 * State the read API shows but Postgres does not hold: the scheduler leader's progress, the task
 * pool, miners' in-flight counts and circuit breakers. They live in Redis/BullMQ and in other
 * processes; the API reads them through these injected functions so that it does not depend on
 * BullMQ. Every reader is optional: without it, its fields are `null` (and `/v1/tasks/stats`
 * answers 503). A reader that throws or exceeds its timeout is treated the same way, with the
 * error shown, so Redis trouble never turns a Postgres-backed answer into an error.
 */

/** One periodic task of the leader (rotation, top-up, weights, ...). */
export interface PeriodicTaskStatus {
  readonly name: string;
  readonly lastRunAt: Date | null;
  readonly lastDurationMs: number | null;
  /** Message of the last run's error, null when it succeeded. */
  readonly lastError: string | null;
}

/** The scheduler as `/v1/status` shows it. Minimal on purpose: the pool's richer status maps onto it. */
export interface SchedulerStatus {
  /** Who holds the leader lease (a process id such as `<host>-<pid>`); null when nobody does. */
  readonly leaderId: string | null;
  /** When the leader last completed a tick; null before the first. */
  readonly lastTickAt: Date | null;
  readonly tasks?: readonly PeriodicTaskStatus[];
  /** The last miner discovery; `stale` is set while it fails and the last known miners are kept. */
  readonly minerDiscovery?: {
    readonly at: Date;
    readonly block: number;
    readonly active: number;
    readonly excluded: number;
    readonly stale?: { readonly since: Date; readonly error: string };
  } | null;
}

/** A miner's circuit breaker in the workers. */
export interface MinerCircuit {
  readonly state: 'closed' | 'open' | 'half-open';
  /** When an open circuit lets a trial request through; null otherwise. */
  readonly retryAt?: Date | null;
  readonly consecutiveFailures?: number;
}

/** Counts of tasks in the pool by state (docs/design.md: pending = waiting, assigned = active, paused = failed). */
export interface PoolCounts {
  readonly pending: number;
  readonly assigned: number;
  readonly paused: number;
}

/** The pool's counts, overall and split by env id and by miner hotkey. */
export interface TaskStats {
  readonly total: PoolCounts;
  readonly byEnv: Readonly<Record<string, PoolCounts>>;
  readonly byMiner: Readonly<Record<string, PoolCounts>>;
}

/** A worker process (or `serve`'s inline worker set) as its last heartbeat showed it. */
export interface WorkerStatus {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly kind: 'worker' | 'inline';
  readonly envs: readonly string[];
  readonly concurrency: number;
  readonly version: string;
  /** live: heartbeating; stale: missed a beat; gone: its heartbeat expired, or it stopped. */
  readonly state: 'live' | 'stale' | 'gone';
  readonly startedAt: Date;
  readonly lastSeenAt: Date;
  readonly stoppedAt: Date | null;
  readonly heartbeatMs: number;
  /** Finished attempts since it started, by error class. */
  readonly episodes: Readonly<Record<string, number>>;
  readonly inFlight: number;
}

/** The injected readers (all optional; see the module comment). */
export interface ApiReaders {
  /** The scheduler leader's state; null when no leader has reported yet. */
  readonly schedulerStatus?: () => Promise<SchedulerStatus | null>;
  /** Tasks in flight (pending + assigned, all envs) by miner hotkey; absent hotkeys have 0. */
  readonly inFlight?: () => Promise<ReadonlyMap<string, number>>;
  /** Circuit breakers by miner hotkey; absent hotkeys are closed. */
  readonly circuits?: () => Promise<ReadonlyMap<string, MinerCircuit>>;
  /** The pool's counts per state, env and miner. */
  readonly taskStats?: () => Promise<TaskStats>;
  /** The workers of the registry (live, stale, and gone within its retention). */
  readonly workers?: () => Promise<readonly WorkerStatus[]>;
}

/** What a reader gave: its value, or why there is none. */
export type ReaderResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Calls an optional reader within `timeoutMs`. Never throws: a missing reader, an error and a
 * timeout each come back as `{ok: false, error}`. A thrown error is logged, not echoed: the
 * routes are public and its message may name internal addresses.
 */
export async function readWithin<T>(
  name: string,
  reader: (() => Promise<T>) | undefined,
  timeoutMs: number,
  logger: Logger,
): Promise<ReaderResult<T>> {
  if (!reader) return { ok: false, error: `${name}: not available in this process` };
  // Told apart by identity: a reader may itself reject with some other DeadlineError.
  const timedOut = new DeadlineError(`${name}: no answer within ${timeoutMs} ms`);
  try {
    return { ok: true, value: await withDeadline(reader(), timeoutMs, { timeoutError: () => timedOut }) };
  } catch (error) {
    if (error === timedOut) return { ok: false, error: timedOut.message };
    logger.warn({ reader: name, err: error }, 'an API reader failed');
    return { ok: false, error: `${name}: could not be read (see the server log)` };
  }
}

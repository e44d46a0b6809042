import { HOUR_MS } from '../constants.ts';
import { boolean, decimal, integer, text } from '../variable.ts';

/** The leader loop: ticks, leases, sampling lists, task retries and paused-task retention. */
export const scheduler = {
  enabled: boolean('EVALPOOL_SCHEDULER_ENABLED', {
    default: true,
    doc: '`serve` competes for the scheduler lease; false runs the API alone.',
  }),
  tickMs: integer('EVALPOOL_SCHEDULER_TICK_MS', {
    default: 2_000,
    min: 50,
    max: 600_000,
    doc: 'Period of the scheduler tick (rotation, top-up, removals).',
  }),
  leaseMs: integer('EVALPOOL_LEADER_LEASE_MS', {
    default: 10_000,
    min: 500,
    max: 600_000,
    doc: 'Lifetime of the leader lease in Redis; a dead leader is replaced after at most this long.',
  }),
  reconcileEveryTicks: integer('EVALPOOL_RECONCILE_EVERY_TICKS', {
    default: 10,
    min: 1,
    max: 100_000,
    doc: 'The leader reconciles Redis with Postgres every this many ticks (and at start).',
  }),
  samplingListsDir: text('EVALPOOL_SAMPLING_LISTS_DIR', {
    default: 'sampling-lists',
    doc: 'Folder of `<env>.json` sampling-list definitions (relative to the working directory).',
  }),
  taskAttempts: integer('EVALPOOL_TASK_ATTEMPTS', {
    default: 3,
    min: 1,
    max: 100,
    doc: 'Attempts of a task before it is paused (retryable errors only).',
  }),
  taskBackoffMs: integer('EVALPOOL_TASK_BACKOFF_MS', {
    default: 2_000,
    min: 0,
    max: HOUR_MS,
    doc: 'Base delay of the exponential backoff between attempts of a task.',
  }),
  lockDurationMs: integer('EVALPOOL_LOCK_DURATION_MS', {
    default: 30_000,
    min: 1_000,
    max: HOUR_MS,
    doc: 'Lock of an assigned task; a worker that stops renewing it loses the task back to pending.',
  }),
  stalledIntervalMs: integer('EVALPOOL_STALLED_INTERVAL_MS', {
    default: 15_000,
    min: 500,
    max: HOUR_MS,
    doc: 'How often assigned tasks with an expired lock are looked for (at most half the lock duration is used, so that an orphan is pending again within 2 × the lock).',
  }),
  pausedTtlSeconds: integer('EVALPOOL_PAUSED_TTL_SECONDS', {
    default: 14_400,
    min: 1,
    max: 31_536_000,
    doc: 'Paused tasks older than this are deleted (and created again if still wanted).',
  }),
  pausedCleanupIntervalSeconds: integer('EVALPOOL_PAUSED_CLEANUP_INTERVAL_SECONDS', {
    default: 60,
    min: 1,
    max: 86_400,
    doc: 'Period of the paused-task cleanup loop.',
  }),
  hourlyCapMargin: decimal('EVALPOOL_HOURLY_CAP_MARGIN', {
    default: 2,
    min: 1,
    max: 1_000,
    doc: 'Per miner and env, a token bucket caps the creation of task ids the miner was never given: it holds a list size of tokens (so the first fill of a list is never capped) and refills at the rotation rate times this margin per hour; re-creating an id the miner had costs nothing.',
  }),
  attemptsRetentionDays: integer('EVALPOOL_ATTEMPTS_RETENTION_DAYS', {
    default: 7,
    min: 1,
    max: 3_650,
    doc: 'Attempt rows (every finished attempt; slot health reads the last hour) older than this are deleted by the leader.',
  }),
  historyRetentionDays: integer('EVALPOOL_HISTORY_RETENTION_DAYS', {
    default: 30,
    min: 1,
    max: 3_650,
    doc: 'Score snapshots that published no weights and slot history older than this are deleted by the leader (results, weights and their snapshots are kept).',
  }),
};

/**
 * Fixed numbers of the pool that are not deployment settings. Settings are `EVALPOOL_*`
 * variables (config sections `scheduler` and `slots`); these are the pool's own rules.
 */
export const POOL_DEFAULTS = Object.freeze({
  /**
   * BullMQ fails a job that stalled more than this many times. A worker death must never pause a
   * task (DESIGN.md: worker_error goes back to pending and is not an attempt), so it is made
   * unreachable. Every party that runs BullMQ's stalled check must use it (see `poolWorkerOptions`).
   */
  maxStalledCount: 1_000_000_000,
  /**
   * Reconciliation reads all results again when the last full read is older than this (healing
   * an index that learnt of results in other ways, or of deleted results). Correctness never
   * depends on it: every candidate is checked against Postgres before creation.
   */
  resultIndexReloadMs: 3_600_000,
  /** Failed jobs removed per `queue.clean` call by the paused-task cleanup. */
  cleanBatch: 1_000,
  /** Most `queue.clean` calls per queue in one cleanup run (a budget; the next run goes on). */
  cleanMaxCallsPerQueue: 100,
  /** The BullMQ job name of a task (the queue says which env). */
  jobName: 'task',
});

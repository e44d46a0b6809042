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
  /** The result delta query re-reads this much before the previous read (late commits). */
  resultDeltaOverlapMs: 15_000,
  /** Failed jobs removed per `queue.clean` call by the paused-task cleanup. */
  cleanBatch: 1_000,
  /** Most `queue.clean` calls per queue in one cleanup run (a budget; the next run goes on). */
  cleanMaxCallsPerQueue: 100,
  /** The BullMQ job name of a task (the queue says which env). */
  jobName: 'task',
});

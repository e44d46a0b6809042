/**
 * The class of a finished attempt (DESIGN.md, "Error classes"); exactly one per attempt, and it
 * decides what happens next:
 *
 * - `success`: episode ran, task solved → result row, score 1.
 * - `failure`: episode ran, not solved, or the miner misbehaved mid-episode → result row, score 0.
 * - `miner_unavailable`: the miner could not be reached or refused the episode → retry with
 *   backoff, lowers the miner's slots, never scored.
 * - `env_error`: the simulator failed → retry, paused after the attempts, never scored.
 * - `worker_error`: the worker shut down or broke mid-task → back to pending, never scored.
 */
export const ERROR_CLASSES = ['success', 'failure', 'miner_unavailable', 'env_error', 'worker_error'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Classes that produce a result row with a score. */
export function isScored(errorClass: ErrorClass): boolean {
  return errorClass === 'success' || errorClass === 'failure';
}

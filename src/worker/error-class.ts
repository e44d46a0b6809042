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

/**
 * What the queue does with an attempt: `record` a result row and complete the job; `retry` with
 * backoff (the job is paused once its attempts run out); `release` it back to pending without
 * spending an attempt.
 */
export type NextStep = 'record' | 'retry' | 'release';

const NEXT_STEPS: Readonly<Record<ErrorClass, NextStep>> = Object.freeze({
  success: 'record',
  failure: 'record',
  miner_unavailable: 'retry',
  env_error: 'retry',
  worker_error: 'release',
});

/** The next step for an attempt of this class (DESIGN.md, "Error classes" and "Task lifecycle"). */
export function nextStep(errorClass: ErrorClass): NextStep {
  return NEXT_STEPS[errorClass];
}

/** Whether the class counts against the miner's health (slots, circuit breaker). */
export function countsAgainstMiner(errorClass: ErrorClass): boolean {
  return errorClass === 'miner_unavailable';
}

/**
 * What the class of a finished attempt (docs/design.md, "Error classes") means for the task; exactly
 * one class per attempt, and it decides what happens next:
 *
 * - `success`: episode ran, task solved → result row, score 1.
 * - `failure`: episode ran, not solved, or the miner misbehaved or stopped answering once the
 *   episode was under way (at once), or it declined a `/reset` it had received (after the
 *   attempts) → result row, score 0 (see non-answer.ts).
 * - `miner_unavailable`: the task never reached the miner (refused, DNS/TLS, connect timeout,
 *   circuit open) → retry with backoff, lowers the miner's slots, paused after the attempts, never
 *   scored. The same class, with `minerHadTask`, for a non-answer to a `/reset` the miner had received:
 *   retried the same way, then a scored `failure` at the last attempt (see `exhaustedOutcome`).
 * - `env_error`: the simulator failed → retry, paused after the attempts, never scored. The
 *   same class, with `unattributedFault`, for an env exception a miner could have provoked: a
 *   scored `failure` at the last attempt if another miner played the task (see `attributedOutcome`).
 * - `worker_error`: the worker shut down, broke or stalled mid-task (a timeout that fired after
 *   its own loop stalled) → back to pending, never scored.
 *
 * The type itself is the database's (`src/db/schema.ts`), where it is stored.
 */
import type { ErrorClass, ScoredClass } from '../../db/schema.ts';

export type { ErrorClass, ScoredClass } from '../../db/schema.ts';

/**
 * What the queue does with an attempt: `record` a result row and complete the job; `retry` with
 * backoff (the job is paused once its attempts run out); `release` it back to pending without
 * spending an attempt.
 */
export type NextStep = 'record' | 'retry' | 'release';

// A record over the type: the compiler refuses a class missing here or one that does not exist.
const NEXT_STEPS: Readonly<Record<ErrorClass, NextStep>> = Object.freeze({
  success: 'record',
  failure: 'record',
  miner_unavailable: 'retry',
  env_error: 'retry',
  worker_error: 'release',
});

/** Every class, in docs/design.md's order. */
export const ERROR_CLASSES: readonly ErrorClass[] = Object.freeze(Object.keys(NEXT_STEPS) as ErrorClass[]);

/** Classes that produce a result row with a score. */
export function isScored(errorClass: ErrorClass): errorClass is ScoredClass {
  return errorClass === 'success' || errorClass === 'failure';
}

/** The next step for an attempt of this class (docs/design.md, "Error classes" and "Task lifecycle"). */
export function nextStep(errorClass: ErrorClass): NextStep {
  return NEXT_STEPS[errorClass];
}

/** Whether the class counts against the miner's health (slots, circuit breaker). */
export function countsAgainstMiner(errorClass: ErrorClass): boolean {
  return errorClass === 'miner_unavailable';
}

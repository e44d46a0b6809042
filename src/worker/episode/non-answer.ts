/**
 * The one rule for a miner that did not answer (docs/design.md, "Once the miner answered /reset, the episode is under way"), shared by the built-in
 * episode loop (classify-error.ts) and the container family (container-outcome.ts). What counts is
 * how far the episode had got when the miner failed to answer:
 *
 * - `not_delivered`: the task never reached the miner (no connection, nothing written): it cost
 *   the miner nothing and told it nothing, so the attempt is retried and never scored.
 * - `task_received`: the `/reset` was delivered and not answered. The miner knows the seed but has
 *   played nothing: retried like a blip, and a scored failure once the attempts run out (declining
 *   seeds it expects to fail must not keep them out of its score).
 * - `under_way`: the miner answered `/reset` (it accepted the task) and then did not answer an
 *   `/act`, whatever the form: late, an error status, nonsense, a reset or refused connection. A
 *   scored failure at once, like an action timeout: a retry replays the same seed to a miner that
 *   has seen the episode's observations, so dropping the episodes going badly would buy it the
 *   best of N tries.
 *
 * What is not the miner's (the worker stalled or shut down, our own connection pool held the
 * request, the env failed) is classified before this rule is asked.
 */
import type { ErrorClass } from './error-class.ts';

/** How far the episode had got when the miner failed to answer. */
export type NonAnswerStage = 'not_delivered' | 'task_received' | 'under_way';

/** The class of a miner's non-answer at `stage`, and whether it had the task (measured later). */
export interface NonAnswerClass {
  readonly errorClass: Extract<ErrorClass, 'miner_unavailable' | 'failure'>;
  readonly minerHadTask: boolean;
}

const RULE: Readonly<Record<NonAnswerStage, NonAnswerClass>> = Object.freeze({
  not_delivered: { errorClass: 'miner_unavailable', minerHadTask: false },
  task_received: { errorClass: 'miner_unavailable', minerHadTask: true },
  under_way: { errorClass: 'failure', minerHadTask: true },
});

/** The class of a miner's non-answer (see the rule at the top of this file). */
export function nonAnswerClass(stage: NonAnswerStage): NonAnswerClass {
  return RULE[stage];
}

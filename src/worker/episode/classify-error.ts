/**
 * The one place that turns an episode's error into its class. The table, by phase ("reset" is
 * the `/reset` call; "act" and "env" are after the miner answered it: the episode is under way):
 *
 * | error                                             | reset: not delivered | reset: delivered  | act               | env          |
 * |---------------------------------------------------|----------------------|-------------------|-------------------|--------------|
 * | worker shutting down (AbortSignal), anywhere      | worker_error         | worker_error      | worker_error      | worker_error |
 * | a timeout after the worker stalled (SIGSTOP, GC, throttling; not parsing answers), no answer 50 ms later | worker_error | worker_error | worker_error | worker_error |
 * | timed out waiting in our own connection pool (`queued`) | worker_error   | -                 | worker_error      | -            |
 * | circuit open                                      | miner_unavailable    | -                 | -                 | -            |
 * | miner: connect (refused, DNS, TLS, timeout)       | miner_unavailable    | -                 | failure           | -            |
 * | miner: connection lost                            | miner_unavailable    | measured*         | failure           | -            |
 * | miner: read timeout                               | miner_unavailable    | measured*         | failure           | -            |
 * | miner: HTTP status (5xx, 429, any non-2xx)        | -                    | measured*         | failure           | -            |
 * | miner: body over the limit, not JSON, bad schema  | -                    | measured*         | failure           | -            |
 * | invalid action (keys, length, NaN/Infinity)       | -                    | -                 | -                 | failure      |
 * | episode budget ran out                            | miner_unavailable    | measured*         | failure if ≥ half the time was spent waiting for the miner, else worker_error |
 * | simulator error (or anything thrown by the env)   | -                    | -                 | -                 | env_error    |
 * | anything else (a bug)                             | worker_error         | worker_error      | worker_error      | env_error    |
 *
 * measured* = `miner_unavailable` with `minerHadTask`: retried with backoff like a blip (slots and
 * the circuit breaker count it as today), and when the task's attempts run out the worker records
 * it as a scored `failure` instead of pausing it (see `exhaustedOutcome`).
 *
 * The miner's non-answers follow one rule, shared with the container family (non-answer.ts): not
 * delivered → retried, never scored; `/reset` delivered → measured*; after the miner answered
 * `/reset` → a failure at once, whatever the form (a retry would replay the seed to a miner that
 * has seen the episode: best of N). "Delivered" means the `/reset` request's bytes were written to
 * a connected socket (see `trackDelivery`): a miner that reads the task and then resets the
 * connection looks exactly like one that resets it unread. Mid-episode, a request that could not
 * be delivered because the miner refused or dropped the connection is the miner's doing too (it
 * can close its keep-alive connection and refuse the next); only one that waited in this
 * process's own pool (`queued`) is ours. A timeout is the miner's only when the miner was really
 * late: a deadline that comes due after the worker's own loop stalled waits a few more turns, so
 * that an answer that came meanwhile is read; if none came, the attempt is the worker's. Time spent
 * parsing miners' answers is not a stall of ours (see `timedAbort` and `asPeerWork`).
 */
import { InvalidActionError } from '../../envs/errors.ts';
import { CircuitOpenError, MinerRequestError } from '../../miners/errors.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { ErrorClass } from './error-class.ts';
import { EpisodeAbortedError, EpisodeTimeoutError } from './errors.ts';
import { nonAnswerClass } from './non-answer.ts';

/** Where the episode was when the error happened. */
export type EpisodePhase = 'reset' | 'act' | 'env';

/** A classified error: never `success`. */
export interface Classification {
  readonly errorClass: Exclude<ErrorClass, 'success'>;
  readonly message: string;
  /**
   * Whether the miner had the task when the attempt ended (its `/reset` was delivered): then a
   * `miner_unavailable` attempt is a measured non-answer, scored as a failure once the task's
   * attempts run out (docs/design.md, "Once the miner has the task, the episode is measured").
   */
  readonly minerHadTask: boolean;
}

/**
 * Classifies an error thrown during an episode (see the table at the top of this file).
 * `minerHadTask` is whether the `/reset` request had been delivered before the error (true in
 * every phase after a `/reset` that answered); a `MinerRequestError` marked delivered also counts.
 */
export function classifyError(error: unknown, phase: EpisodePhase, minerHadTask = phase === 'act'): Classification {
  const message = errorMessage(error);
  const hadTask = minerHadTask || (error instanceof MinerRequestError && error.delivered);
  const as = (errorClass: Classification['errorClass']): Classification => ({ errorClass, message, minerHadTask: hadTask });

  if (error instanceof EpisodeAbortedError) return as('worker_error');
  if (error instanceof MinerRequestError && (error.kind === 'aborted' || error.kind === 'worker_stalled' || error.kind === 'queued'))
    return as('worker_error');
  if (error instanceof CircuitOpenError) return as('miner_unavailable');
  if (error instanceof EpisodeTimeoutError) {
    if (error.workerStalled) return as('worker_error');
    if (phase === 'reset') return as('miner_unavailable');
    return as(error.minerShare >= 0.5 ? 'failure' : 'worker_error');
  }
  if (error instanceof MinerRequestError) {
    const rule = nonAnswerClass(phase !== 'reset' ? 'under_way' : hadTask ? 'task_received' : 'not_delivered');
    return { errorClass: rule.errorClass, message, minerHadTask: rule.minerHadTask || hadTask };
  }
  if (error instanceof InvalidActionError) return as('failure');
  if (phase === 'env') return as('env_error');
  return as('worker_error');
}

/**
 * The one place that turns an episode's error into its class. The table, by phase ("reset" is
 * the `/reset` call; "act" and "env" are after it, when the miner has the task):
 *
 * | error                                             | reset: not delivered | reset: delivered  | act               | env          |
 * |---------------------------------------------------|----------------------|-------------------|-------------------|--------------|
 * | worker shutting down (AbortSignal), anywhere      | worker_error         | worker_error      | worker_error      | worker_error |
 * | a timeout that fired right after the worker stalled (SIGSTOP, GC, throttling) | worker_error | worker_error | worker_error | worker_error |
 * | circuit open                                      | miner_unavailable    | -                 | -                 | -            |
 * | miner: connect (refused, DNS, TLS, timeout)       | miner_unavailable    | -                 | measured*         | -            |
 * | miner: connection lost                            | miner_unavailable    | measured*         | measured*         | -            |
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
 * Why: a task that never reached the miner costs it nothing, so it is retried and only lowers its
 * slots. "Delivered" means the `/reset` request's bytes were written to a connected socket (see
 * `trackDelivery`): a miner that reads the task and then resets the connection looks exactly like
 * one that resets it unread, so only a failure before anything was written proves that the miner
 * did not learn the task. Once the miner has the task (seed, task id), the episode is measured: if
 * refusing or dropping it only cost a retry, a miner could decline the seeds it expects to fail.
 * Mid-episode, answering late, answering nonsense or answering with an error status is a failure
 * at once (retrying a seeded task would reward crashing on hard states); a connection that cannot
 * be made or breaks is retried first, then measured. A timeout is the miner's only when the miner
 * was really late: when the worker's own loop was stalled at the deadline, its answer may have
 * been waiting unread in the socket, so the attempt is the worker's.
 */
import { InvalidActionError } from '../envs/invalid-action-error.ts';
import { CircuitOpenError } from '../miners/circuit-open-error.ts';
import { MinerRequestError } from '../miners/miner-request-error.ts';
import { errorMessage } from '../runtime/error-message.ts';
import { EpisodeAbortedError } from './episode-aborted-error.ts';
import { EpisodeTimeoutError } from './episode-timeout-error.ts';
import type { ErrorClass } from './error-class.ts';

/** Where the episode was when the error happened. */
export type EpisodePhase = 'reset' | 'act' | 'env';

/** A classified error: never `success`. */
export interface Classification {
  readonly errorClass: Exclude<ErrorClass, 'success'>;
  readonly message: string;
  /**
   * Whether the miner had the task when the attempt ended (its `/reset` was delivered): then a
   * `miner_unavailable` attempt is a measured non-answer, scored as a failure once the task's
   * attempts run out (DESIGN.md, "Once the miner has the task, the episode is measured").
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
  if (error instanceof MinerRequestError && (error.kind === 'aborted' || error.kind === 'worker_stalled')) return as('worker_error');
  if (error instanceof CircuitOpenError) return as('miner_unavailable');
  if (error instanceof EpisodeTimeoutError) {
    if (error.workerStalled) return as('worker_error');
    if (phase === 'reset') return as('miner_unavailable');
    return as(error.minerShare >= 0.5 ? 'failure' : 'worker_error');
  }
  if (error instanceof MinerRequestError) {
    if (phase === 'reset' || error.kind === 'connect' || error.kind === 'network') return as('miner_unavailable');
    return as('failure');
  }
  if (error instanceof InvalidActionError) return as('failure');
  if (phase === 'env') return as('env_error');
  return as('worker_error');
}

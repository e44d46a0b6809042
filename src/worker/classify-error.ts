/**
 * The one place that turns an episode's error into its class. The table, by phase:
 *
 * | error                                             | reset             | act               | env          |
 * |---------------------------------------------------|-------------------|-------------------|--------------|
 * | worker shutting down (AbortSignal), anywhere      | worker_error      | worker_error      | worker_error |
 * | circuit open                                      | miner_unavailable | -                 | -            |
 * | miner: connect (refused, DNS, TLS, timeout)       | miner_unavailable | miner_unavailable | -            |
 * | miner: connection lost after connecting           | miner_unavailable | miner_unavailable | -            |
 * | miner: read timeout                               | miner_unavailable | failure           | -            |
 * | miner: HTTP status (5xx, 429, any non-2xx)        | miner_unavailable | failure           | -            |
 * | miner: body over the limit, not JSON, bad schema  | miner_unavailable | failure           | -            |
 * | invalid action (keys, length, NaN/Infinity)       | -                 | -                 | failure      |
 * | episode budget ran out                            | miner_unavailable | failure if ≥ half the time was spent waiting for the miner, else worker_error |
 * | simulator error (or anything thrown by the env)   | -                 | -                 | env_error    |
 * | anything else (a bug)                             | worker_error      | worker_error      | env_error    |
 *
 * Why: an episode that never started (`/reset`) costs the miner nothing, so it is retried and
 * only lowers its slots. Once started, the miner is being measured: answering late, answering
 * nonsense or answering with an error status mid-episode is its failure (retrying a seeded task
 * would reward crashing on hard states). A connection that cannot be made or breaks is not an
 * answer at all and is treated as unavailability, like at `/reset`.
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
}

/** Classifies an error thrown during an episode (see the table at the top of this file). */
export function classifyError(error: unknown, phase: EpisodePhase): Classification {
  const message = errorMessage(error);
  const as = (errorClass: Classification['errorClass']): Classification => ({ errorClass, message });

  if (error instanceof EpisodeAbortedError) return as('worker_error');
  if (error instanceof MinerRequestError && error.kind === 'aborted') return as('worker_error');
  if (error instanceof CircuitOpenError) return as('miner_unavailable');
  if (error instanceof EpisodeTimeoutError) {
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

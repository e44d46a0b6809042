/**
 * What went wrong with an env container, precisely enough to classify the attempt and decide
 * whether the container must be recycled:
 *
 * - `engine`: the Docker Engine API failed or did not answer (socket missing, timeout, 5xx);
 * - `start_failed`: the container could not be created, exited, or never became healthy;
 * - `unhealthy`: a running container failed its health check;
 * - `unreachable`: no connection to the container's server (it is not listening, or gone);
 * - `connection_lost`: the connection broke during a call (the container crashed or was killed);
 * - `overrun`: no answer within the call's timeout (the container is recycled);
 * - `http_status`: a non-2xx answer (the env raised);
 * - `env_failed`: the env answered `status: "failed"` (affinetes: the call overran its own timeout);
 * - `too_large`: the answer went over the size limit;
 * - `unparseable`: the answer is not JSON or does not follow the contract;
 * - `aborted`: the caller's signal fired (worker shutdown or hard timeout);
 * - `worker_stalled`: the call's timeout fired right after this process's own loop stalled
 *   (SIGSTOP, GC, throttling): the answer may be waiting unread, so it is the worker's fault
 *   (recycled like an overrun: the episode may still be running inside);
 * - `closed`: the manager is stopped.
 */
export type ContainerErrorKind =
  | 'engine'
  | 'start_failed'
  | 'unhealthy'
  | 'unreachable'
  | 'connection_lost'
  | 'overrun'
  | 'http_status'
  | 'env_failed'
  | 'too_large'
  | 'unparseable'
  | 'aborted'
  | 'worker_stalled'
  | 'closed';

/** With `http_status`: the status and the server's own words (FastAPI's `detail`, or the body). */
export interface ContainerHttpAnswer {
  readonly status: number;
  readonly detail: string;
}

/** A failure of the container family; `kind` says what failed (see {@link ContainerErrorKind}). */
export class ContainerError extends Error {
  override readonly name: string = 'ContainerError';
  readonly answer: ContainerHttpAnswer | undefined;

  constructor(
    readonly kind: ContainerErrorKind,
    message: string,
    options?: { cause?: unknown; answer?: ContainerHttpAnswer },
  ) {
    super(message, options);
    this.answer = options?.answer;
  }
}

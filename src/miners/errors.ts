import { formatTime } from '../runtime/format-time.ts';

/**
 * What went wrong talking to a miner, precisely enough to classify the attempt:
 *
 * - `connect`: no connection (`reason`: refused, DNS, TLS, connect timeout, unreachable);
 * - `network`: the connection broke after it was made (reset, closed mid-response);
 * - `timeout`: no complete response within the request's read timeout;
 * - `http_status`: a non-2xx answer (`status`);
 * - `body_too_large`: the response body went over the size limit (reading stopped there);
 * - `invalid_json`: the body is not JSON (including Python's `NaN`/`Infinity` tokens);
 * - `schema_mismatch`: JSON that does not follow the contract;
 * - `aborted`: the caller's AbortSignal fired (shutdown), not the miner's fault;
 * - `worker_stalled`: the timeout fired on this process's loop right after a stall of its own
 *   (SIGSTOP, GC, throttling; not time spent parsing miners' answers) and no answer came in the
 *   few loop turns it then waited: not the miner's fault;
 * - `queued`: the timeout fired while the request waited in this process's own connection pool
 *   for a free connection to the miner (never written): our congestion, not the miner's fault.
 *
 * `delivered` says whether the request's bytes were written to a connected socket: from then on
 * the miner may have read it (see `trackDelivery`), whatever the error. An answer of any kind
 * (`http_status`, `body_too_large`, `invalid_json`, `schema_mismatch`) is delivered by definition.
 */
export type MinerErrorKind =
  | 'connect'
  | 'network'
  | 'timeout'
  | 'http_status'
  | 'body_too_large'
  | 'invalid_json'
  | 'schema_mismatch'
  | 'aborted'
  | 'worker_stalled'
  | 'queued';

const ANSWER_KINDS: ReadonlySet<MinerErrorKind> = new Set(['http_status', 'body_too_large', 'invalid_json', 'schema_mismatch']);

export type ConnectFailure = 'refused' | 'dns' | 'tls' | 'timeout' | 'unreachable' | 'other';

/** The miner endpoint call that failed. */
export type MinerOperation = 'reset' | 'act';

export interface MinerRequestErrorDetails {
  readonly status?: number;
  readonly connectFailure?: ConnectFailure;
  readonly delivered?: boolean;
  readonly cause?: unknown;
}

/** A failed call to a miner endpoint; `kind` says what failed (see {@link MinerErrorKind}). */
export class MinerRequestError extends Error {
  override readonly name = 'MinerRequestError';
  readonly status: number | undefined;
  readonly connectFailure: ConnectFailure | undefined;
  readonly delivered: boolean;

  constructor(
    readonly kind: MinerErrorKind,
    readonly operation: MinerOperation,
    readonly endpoint: string,
    message: string,
    details: MinerRequestErrorDetails = {},
  ) {
    super(`${operation} ${endpoint}: ${message}`, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
    this.connectFailure = details.connectFailure;
    this.delivered = details.delivered ?? ANSWER_KINDS.has(kind);
  }
}

/** An attempt refused without calling the miner because its circuit is open: `miner_unavailable`. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';

  /** `lastFailure`: what opened the circuit, quoted whole so that a paused task says what is wrong with the miner. */
  constructor(
    readonly endpoint: string,
    readonly openUntil: number | null,
    readonly lastFailure: string | null = null,
  ) {
    super(
      (openUntil === null
        ? `circuit of ${endpoint} is half-open and its probe is under way`
        : `circuit of ${endpoint} is open until ${formatTime(new Date(openUntil))}`) +
        (lastFailure === null ? '' : `; it opened on: ${lastFailure}`),
    );
  }
}

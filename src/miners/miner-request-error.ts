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
 * - `aborted`: the caller's AbortSignal fired (shutdown), not the miner's fault.
 */
export type MinerErrorKind =
  | 'connect'
  | 'network'
  | 'timeout'
  | 'http_status'
  | 'body_too_large'
  | 'invalid_json'
  | 'schema_mismatch'
  | 'aborted';

export type ConnectFailure = 'refused' | 'dns' | 'tls' | 'timeout' | 'unreachable' | 'other';

/** The miner endpoint call that failed. */
export type MinerOperation = 'reset' | 'act';

export interface MinerRequestErrorDetails {
  readonly status?: number;
  readonly connectFailure?: ConnectFailure;
  readonly cause?: unknown;
}

/** A failed call to a miner endpoint; `kind` says what failed (see {@link MinerErrorKind}). */
export class MinerRequestError extends Error {
  override readonly name = 'MinerRequestError';
  readonly status: number | undefined;
  readonly connectFailure: ConnectFailure | undefined;

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
  }
}

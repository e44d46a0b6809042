import { DeadlineError, withDeadline } from '../runtime/deadline.ts';

/** A chain or HTTP call that did not answer in time. */
export class CallTimeoutError extends DeadlineError {
  override readonly name = 'CallTimeoutError';
}

/**
 * {@link withDeadline} for a chain or HTTP call: a missed deadline rejects with a
 * {@link CallTimeoutError} naming the call.
 * @param what names the call in the error, e.g. "chain_getHeader"
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return withDeadline(promise, ms, { signal, timeoutError: () => new CallTimeoutError(`${what} did not answer within ${ms} ms`) });
}

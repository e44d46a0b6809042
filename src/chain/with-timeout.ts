import { errorMessage } from '../runtime/error-message.ts';

/** A chain or HTTP call that did not answer in time. */
export class CallTimeoutError extends Error {
  override readonly name = 'CallTimeoutError';
}

/**
 * Settles like `promise`, or rejects with {@link CallTimeoutError} after `ms`, or with the
 * signal's reason when it aborts. The late result of `promise` is ignored (and its rejection
 * handled), so a call that never answers leaks nothing but itself.
 * @param what names the call in the error, e.g. "chain_getHeader"
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  if (signal?.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cleanup();
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new CallTimeoutError(`${what} did not answer within ${ms} ms`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error instanceof Error ? error : new Error(errorMessage(error), { cause: error }));
      },
    );
  });
}

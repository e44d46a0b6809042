import { toError } from './error-message.ts';

/** A wait that ran past its deadline (the default error of {@link withDeadline}). */
export class DeadlineError extends Error {
  override readonly name: string = 'DeadlineError';
}

/** How {@link withDeadline} ends a wait early. */
export interface DeadlineOptions {
  /** The error a missed deadline rejects with; by default a {@link DeadlineError} "no answer within N ms". */
  readonly timeoutError?: () => Error;
  /** Ends the wait when it aborts (at once if it already did). */
  readonly signal?: AbortSignal;
  /** The error an abort rejects with; by default the signal's reason. */
  readonly abortError?: () => Error;
}

/**
 * Settles like `promise`, or rejects when `ms` pass first (no deadline when `ms` is undefined) or
 * when the signal aborts first. Only the wait ends: the work goes on, and its late result or
 * rejection is ignored (handled), so work that never answers leaks nothing but itself. A rejection
 * that is not an Error becomes one (`toError`).
 */
export function withDeadline<T>(promise: Promise<T>, ms: number | undefined, options: DeadlineOptions = {}): Promise<T> {
  const { signal } = options;
  const aborted = (): Error => options.abortError?.() ?? (signal?.reason as Error);
  if (signal?.aborted === true) {
    promise.catch(() => undefined);
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      cleanup();
      reject(aborted());
    };
    const timer =
      ms === undefined
        ? undefined
        : setTimeout(() => {
            cleanup();
            reject(options.timeoutError?.() ?? new DeadlineError(`no answer within ${ms} ms`));
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
        reject(toError(error));
      },
    );
  });
}

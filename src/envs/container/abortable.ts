import { ContainerError } from './container-error.ts';

/**
 * Waits for a shared promise (a container being started for several tasks) on behalf of one
 * caller: rejects with an `aborted` {@link ContainerError} as soon as the caller's signal fires,
 * without cancelling the shared work.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new ContainerError('aborted', `${what}: aborted`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new ContainerError('aborted', `${what}: aborted`));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Resolves after `ms`, or rejects at once with an `aborted` error when `signal` fires. */
export function pause(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(new ContainerError('aborted', `${what}: aborted`));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ContainerError('aborted', `${what}: aborted`));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

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

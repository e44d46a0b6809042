import type { Redis } from 'ioredis';

/** Resolves when the connection is ready, rejects with the last connection error after `timeoutMs`. */
export function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const onError = (error: Error): void => {
      lastError = error;
    };
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    const onReady = (): void => {
      done();
      resolve();
    };
    const timer = setTimeout(() => {
      done();
      const error = new Error(`Redis not ready within ${timeoutMs} ms${lastError ? `: ${lastError.message}` : ''}`);
      Object.assign(error, { code: (lastError as { code?: string } | undefined)?.code ?? 'ETIMEDOUT' });
      reject(error);
    }, timeoutMs);
    redis.on('ready', onReady);
    redis.on('error', onError);
  });
}

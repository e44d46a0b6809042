import type { Redis } from 'ioredis';
import { databaseRefusal } from './redis.ts';

/**
 * Resolves when the connection is ready, rejects with the last connection error after `timeoutMs`,
 * and at once when the server refused the URL's database index (a `RedisDatabaseRefusedError`:
 * the connection would otherwise have run on database 0).
 */
export function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  const refused = databaseRefusal(redis);
  if (refused) return Promise.reject(refused);
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
    };
    // createRedis's own listener, registered first, has recorded a refusal before these run.
    const onError = (error: Error): void => {
      lastError = error;
      const refusal = databaseRefusal(redis);
      if (refusal) {
        done();
        reject(refusal);
      }
    };
    const onReady = (): void => {
      done();
      const refusal = databaseRefusal(redis);
      if (refusal) reject(refusal);
      else resolve();
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

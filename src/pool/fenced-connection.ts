import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { maskUrlPassword } from '../config/mask.ts';

/**
 * The scheduler's own Redis connection, on which the pool's guarded transactions run (law L3 in
 * fenced-create.ts): no offline queue and no re-sending of unfulfilled commands after a
 * reconnect, so that a command is only ever sent on the socket it was issued for. While Redis is
 * down every command fails at once; the tick fails and the next one tries again.
 * Wait for it to be ready (`waitForRedis`) before use.
 */
export function createFencedConnection(url: string, logger: Logger, name = 'evalpool-scheduler'): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    disconnectTimeout: 300,
  });
  let lastError = '';
  redis.on('error', (error: Error) => {
    if (error.message === lastError) return;
    lastError = error.message;
    logger.warn({ component: 'redis', role: 'scheduler', url: maskUrlPassword(url), err: error.message }, 'redis connection error');
  });
  redis.on('ready', () => (lastError = ''));
  return redis;
}

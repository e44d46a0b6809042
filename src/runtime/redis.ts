import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { maskUrlPassword } from '../config/mask.ts';

/** What a connection is for; BullMQ workers need blocking commands without a retry limit. */
export type RedisRole = 'command' | 'bullmq' | 'probe';

/**
 * Opens a Redis connection for one role. `bullmq` connections retry forever (BullMQ's rule for
 * blocking connections); `probe` connections fail fast while Redis is down instead of queueing
 * commands, so that a health check answers within its timeout.
 */
export function createRedis(url: string, role: RedisRole, logger: Logger): Redis {
  const redis = new Redis(url, {
    connectionName: `evalpool-${role}`,
    maxRetriesPerRequest: role === 'bullmq' ? null : role === 'probe' ? 0 : 3,
    enableOfflineQueue: role !== 'probe',
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    // ioredis arms this timer on disconnect even for a socket that already failed; keep it short
    // so that a closed connection does not hold the process for 2 s.
    disconnectTimeout: 300,
  });
  let lastError = '';
  redis.on('error', (error: Error) => {
    // ioredis emits an error per reconnect attempt; log each distinct message once.
    if (error.message !== lastError) {
      lastError = error.message;
      logger.warn({ component: 'redis', role, url: maskUrlPassword(url), err: error.message }, 'redis connection error');
    }
  });
  redis.on('ready', () => {
    lastError = '';
  });
  return redis;
}

/** Closes a connection, falling back to a hard disconnect when QUIT cannot be sent. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  if (redis.status !== 'ready') {
    // Not connected: there is nobody to send QUIT to, and QUIT would wait for a reconnect.
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

/** BullMQ loses jobs under eviction; returns a warning text when the policy is not `noeviction`. */
export async function checkEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = await redis.config('GET', 'maxmemory-policy');
    const policy = reply[1];
    return policy === 'noeviction'
      ? undefined
      : `Redis maxmemory-policy is "${policy}": BullMQ needs "noeviction" or queued tasks may be evicted`;
  } catch {
    return undefined; // managed Redis often forbids CONFIG; nothing to check then
  }
}

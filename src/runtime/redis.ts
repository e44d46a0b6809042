import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { maskUrlPassword } from '../config/mask.ts';
import { DistinctMessages } from './distinct-messages.ts';
import { RedisDatabaseRefusedError } from './redis-database-refused.ts';

/** The refusal recorded on a connection by `createRedis` (see {@link RedisDatabaseRefusedError}). */
const refusals = new WeakMap<Redis, RedisDatabaseRefusedError>();

/** Why the server refused this connection's database, if it did; the connection is then closed. */
export function databaseRefusal(redis: Redis): RedisDatabaseRefusedError | undefined {
  return refusals.get(redis);
}

/** The command a reply error answers (ioredis attaches it). */
function failedCommand(error: Error): { name?: string; args?: readonly (string | number)[] } | undefined {
  return (error as { command?: { name?: string; args?: readonly (string | number)[] } }).command;
}

/** What a connection is for; BullMQ workers need blocking commands without a retry limit. */
export type RedisRole = 'command' | 'bullmq' | 'probe' | 'fenced';

/**
 * Opens a Redis connection for one role. `bullmq` connections retry forever (BullMQ's rule for
 * blocking connections); `probe` connections fail fast while Redis is down instead of queueing
 * commands, so that a health check answers within its timeout.
 *
 * `fenced` is the scheduler's own connection, on which the pool's guarded transactions run (law
 * L3 in pool/fenced-create.ts): no offline queue and no re-sending of unfulfilled commands after a
 * reconnect, so that a command is only ever sent on the socket it was issued for. While Redis is
 * down every command fails at once; the tick fails and the next one tries again. Wait for it to be
 * ready (`waitForRedis`) before use.
 * @param connectionName what Redis's CLIENT LIST shows (default `evalpool-<role>`)
 */
export function createRedis(url: string, role: RedisRole, logger: Logger, connectionName = `evalpool-${role}`): Redis {
  const redis = new Redis(url, {
    connectionName,
    maxRetriesPerRequest: role === 'bullmq' ? null : role === 'probe' || role === 'fenced' ? 0 : 3,
    enableOfflineQueue: role !== 'probe' && role !== 'fenced',
    ...(role === 'fenced' ? { autoResendUnfulfilledCommands: false } : {}),
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
    // ioredis arms this timer on disconnect even for a socket that already failed; keep it short
    // so that a closed connection does not hold the process for 2 s.
    disconnectTimeout: 300,
  });
  // ioredis emits an error per reconnect attempt.
  const errors = new DistinctMessages();
  let wasReady = false;
  redis.once('ready', () => {
    wasReady = true;
  });
  redis.on('error', (error: Error) => {
    // After a refusal, what the closing connection still reports (e.g. its ready check) is noise.
    if (refusals.has(redis)) return;
    const command = failedCommand(error);
    // Only the server's own answer to SELECT (a ReplyError): the connection then stays on
    // database 0 while ioredis believes otherwise. A SELECT lost with a dropped connection
    // is an ordinary reconnect, handled as every other one.
    if (command?.name === 'select' && error.name === 'ReplyError') {
      const refusal = new RedisDatabaseRefusedError(url, String(command.args?.[0] ?? '?'), error.message);
      refusals.set(redis, refusal);
      // At start, whoever waits for the connection (waitForRedis) reports the refusal. On a
      // reconnect (the server restarted with fewer databases) nobody waits: say it here, once,
      // or every later command fails with a bare "Connection is closed".
      if (wasReady)
        logger.error(
          { component: 'redis', role, url: maskUrlPassword(url), err: refusal.message },
          'redis refused the database on reconnect; the connection is closed',
        );
      redis.disconnect();
      return;
    }
    if (errors.changed(error.message))
      logger.warn({ component: 'redis', role, url: maskUrlPassword(url), err: error.message }, 'redis connection error');
  });
  redis.on('ready', () => errors.reset());
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

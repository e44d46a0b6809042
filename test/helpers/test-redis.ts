import { after, before } from 'node:test';
import type { Redis } from 'ioredis';
import { closeRedis, createRedis } from '../../src/runtime/redis.ts';
import { randomName } from './random-name.ts';
import { testConfig } from './test-config.ts';
import { testLogger } from './test-logger.ts';

/** A Redis key prefix of its own for one test file, and a connection to use in assertions. */
export interface TestRedis {
  readonly url: string;
  /** Use as `EVALPOOL_QUEUE_PREFIX` / BullMQ `prefix`; every key under it is deleted afterwards. */
  readonly prefix: string;
  readonly redis: Redis;
}

/** Deletes every key that starts with `prefix:` (SCAN, never KEYS). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Registers hooks giving this test file a random prefix, cleaned up (keys and connection) after. */
export function useTestRedis(): TestRedis {
  const url = testConfig().storage.redisUrl;
  const prefix = randomName('evalpool-test-');
  let redis: Redis | undefined;
  before(() => {
    redis = createRedis(url, 'command', testLogger());
  });
  after(async () => {
    if (!redis) return;
    await deletePrefix(redis, prefix);
    await closeRedis(redis);
  });
  return {
    url,
    prefix,
    get redis() {
      if (!redis) throw new Error('useTestRedis: the connection exists only inside tests');
      return redis;
    },
  };
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { REDIS_START_TIMEOUT_MS } from '../../src/config/constants.ts';
import { closeRedis, createRedis, databaseRefusal } from '../../src/runtime/redis.ts';
import { RedisDatabaseRefusedError } from '../../src/runtime/redis-database-refused.ts';
import { waitForRedis } from '../../src/runtime/wait-ready.ts';
import { privateRedisUnavailable, startPrivateRedis } from '../helpers/private-redis.ts';
import { randomName } from '../helpers/random-name.ts';
import { capturingLogger } from '../helpers/test-logger.ts';
import { useTestRedis } from '../helpers/test-redis.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** The test Redis's URL with another database index in its path. */
function withIndex(url: string, index: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${index}`;
  return parsed.toString();
}

describe('a Redis database index the server does not have', () => {
  const redis = useTestRedis();

  test('waitForRedis rejects with the server answer, and no command runs on database 0 instead', async () => {
    const url = withIndex(redis.url, '99');
    const { logger, lines } = capturingLogger();
    for (const role of ['command', 'bullmq', 'probe', 'fenced'] as const) {
      const connection = createRedis(url, role, logger);
      const key = `${redis.prefix}:${randomName('k-')}`;
      // Queued before the connection is up: it would have been sent to database 0 once "ready".
      const write = role === 'command' || role === 'bullmq' ? connection.set(key, 'written') : undefined;
      try {
        const error = await waitForRedis(connection, REDIS_START_TIMEOUT_MS).then(
          () => assert.fail(`${role}: ready on a database the server refused`),
          (e: unknown) => e,
        );
        assert.ok(error instanceof RedisDatabaseRefusedError, `${role}: ${String(error)}`);
        assert.equal(error.database, '99');
        assert.match(error.answer, /^ERR DB index is out of range/);
        assert.equal(databaseRefusal(connection), error);
        // Asked again (another waiter, later): the same refusal at once.
        await assert.rejects(waitForRedis(connection, REDIS_START_TIMEOUT_MS), (e) => e === error);
        if (write) await assert.rejects(write);
        assert.equal(await redis.redis.get(key), null, `${role}: nothing reached database 0`);
      } finally {
        await closeRedis(connection);
      }
    }
    assert.deepEqual(
      lines.filter((l) => l.msg === 'redis connection error'),
      [],
      'the refusal is an error for whoever waits, not a warning line',
    );
  });

  test('an index the server has is used', async () => {
    const connection = createRedis(withIndex(redis.url, '1'), 'command', capturingLogger().logger);
    try {
      await waitForRedis(connection, REDIS_START_TIMEOUT_MS);
      assert.equal(databaseRefusal(connection), undefined);
      const key = `${redis.prefix}:${randomName('db1-')}`;
      await connection.set(key, 'one', 'EX', 60);
      assert.equal(await redis.redis.get(key), null, 'written to database 1, not 0');
      await connection.del(key);
    } finally {
      await closeRedis(connection);
    }
  });

  test('refused on a reconnect (the server came back with fewer databases): said once at error level, the connection stays closed', {
    skip: privateRedisUnavailable(),
  }, async () => {
    const server = await startPrivateRedis();
    const { logger, lines } = capturingLogger();
    const connection = createRedis(withIndex(server.url, '5'), 'command', logger);
    try {
      await waitForRedis(connection, REDIS_START_TIMEOUT_MS);
      await connection.set('k', 'on five');
      await server.kill();
      await server.start({ databases: 2 });
      await waitFor('the refusal on reconnect', () => databaseRefusal(connection) !== undefined);
      const said = lines.filter((l) => l.msg === 'redis refused the database on reconnect; the connection is closed');
      assert.equal(said.length, 1);
      assert.match(String(said[0]!.err), /refused database 5: ERR DB index is out of range/);
      await assert.rejects(connection.get('k'), 'no command runs on another database');
    } finally {
      await closeRedis(connection);
      await server.destroy();
    }
  });
});

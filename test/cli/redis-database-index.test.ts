import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/spawn-cli.ts';
import { testConfig } from '../helpers/test-config.ts';
import { useTestDatabase } from '../helpers/test-database.ts';

/** Every kind of process that opens Redis: CLI readers, the server, a worker. */
const COMMANDS = [['tasks', 'stats'], ['workers'], ['serve'], ['worker', '--envs', 'mujoco/reach-v1']] as const;

describe('a Redis database index the server does not have stops every process at start', () => {
  const database = useTestDatabase();

  test('one sentence naming EVALPOOL_REDIS_URL and the server answer, exit 1, never database 0', async () => {
    const url = new URL(testConfig().storage.redisUrl);
    url.pathname = '/99';
    const variables = { EVALPOOL_DATABASE_URL: database.url, EVALPOOL_REDIS_URL: url.toString(), EVALPOOL_PORT: '0' };
    const results = await Promise.all(COMMANDS.map((args) => runCli(args, variables)));
    results.forEach((result, i) => {
      const command = COMMANDS[i]!.join(' ');
      assert.equal(result.code, 1, `${command}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at /, `${command}: no stack trace`);
      assert.equal(result.stderr.trimEnd().split('\n').length, 1, `${command}: one line, got ${result.stderr}`);
      assert.match(
        result.stderr,
        /^evalpool: EVALPOOL_REDIS_URL redis:\/\/127\.0\.0\.1:6379\/99 names database 99, which the Redis server refuses \("ERR DB index is out of range"\)/,
        command,
      );
      assert.doesNotMatch(result.stdout, /redis connection error/, `${command}: no warning line before it`);
    });
  });
});

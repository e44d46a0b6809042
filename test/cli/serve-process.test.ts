import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { dropDatabase } from '../../src/db/ensure-database.ts';
import { errorMessage } from '../../src/runtime/error-message.ts';
import { type PrivatePostgres, privatePostgresUnavailable, startPrivatePostgres } from '../helpers/private-postgres.ts';
import { type CliProcess, runCli, spawnCli } from '../helpers/spawn-cli.ts';
import { randomDatabaseUrl } from '../helpers/test-database.ts';
import { STATE_TIMEOUT_MS, waitFor } from '../helpers/wait-for.ts';

async function health(url: string): Promise<{ status: number; body: Record<string, { ok: boolean } | string> }> {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
  return { status: response.status, body: (await response.json()) as Record<string, { ok: boolean } | string> };
}

async function waitForHealth(url: string, status: number): Promise<Record<string, { ok: boolean } | string>> {
  let last: Awaited<ReturnType<typeof health>> | undefined;
  try {
    return await waitFor(
      `/health ${status}`,
      async () => {
        last = await health(url);
        return last.status === status ? last.body : undefined;
      },
      STATE_TIMEOUT_MS,
      200,
    );
  } catch (error) {
    throw new Error(`${errorMessage(error)}: /health stayed ${last?.status}: ${JSON.stringify(last?.body)}`, { cause: error });
  }
}

async function listening(cli: CliProcess): Promise<string> {
  const line = await cli.waitForLog((l) => l.msg === 'evalpool serve is listening');
  return String(line.url);
}

describe('evalpool serve as a process', () => {
  test('a bad variable stops it with exit 2, naming the variable and not the password', async () => {
    const result = await runCli(['serve'], { EVALPOOL_DATABASE_URL: 'not-a-url', EVALPOOL_REDIS_URL: 'http://u:s3cret-pw@h' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /EVALPOOL_DATABASE_URL="not-a-url": must be a URL starting with postgres:\/\//);
    assert.match(result.stderr, /EVALPOOL_REDIS_URL/);
    assert.doesNotMatch(result.stderr + result.stdout, /s3cret-pw/);
  });

  test('against a missing database it creates and migrates it, answers /health 200, and exits 0 on SIGTERM', async () => {
    const databaseUrl = randomDatabaseUrl();
    const cli = spawnCli(['serve'], { EVALPOOL_DATABASE_URL: databaseUrl, EVALPOOL_PORT: '0', EVALPOOL_SCHEDULER_ENABLED: 'false' });
    try {
      const url = await listening(cli);
      assert.ok(cli.logs().some((l) => l.msg === 'created the database'));
      assert.ok(cli.logs().some((l) => l.migration === '0001_initial'));
      const body = await waitForHealth(url, 200);
      assert.equal(body.status, 'ok');
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited(), 0);
      assert.ok(cli.logs().some((l) => l.msg === 'stopped' && l.clean === true));
    } finally {
      await cli.kill();
      await dropDatabase(databaseUrl);
    }
  });

  test('Redis or Postgres not running at start: one sentence saying what to start, exit 1', async () => {
    const result = await runCli(['serve'], { EVALPOOL_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Postgres is not answering at postgres:\/\/postgres@127\.0\.0\.1:1\/x .*start the cluster that listens on port 1 /,
    );
    assert.doesNotMatch(result.stderr, /at .*\.ts:\d+/);
  });

  describe('when Postgres stops and comes back', { skip: privatePostgresUnavailable() }, () => {
    let postgres: PrivatePostgres;
    let cli: CliProcess;
    before(async () => {
      postgres = await startPrivatePostgres();
    });
    after(async () => {
      await cli?.kill();
      await postgres?.destroy();
    });

    test('/health turns 503 naming the database, then 200 again without a restart', async () => {
      cli = spawnCli(['serve'], {
        EVALPOOL_DATABASE_URL: postgres.url,
        EVALPOOL_PORT: '0',
        EVALPOOL_SCHEDULER_ENABLED: 'false',
        EVALPOOL_HEALTH_TIMEOUT_MS: '500',
      });
      const url = await listening(cli);
      await waitForHealth(url, 200);
      await postgres.stop();
      const down = await waitForHealth(url, 503);
      assert.equal((down.database as { ok: boolean }).ok, false);
      assert.equal((down.redis as { ok: boolean }).ok, true);
      await postgres.start();
      await waitForHealth(url, 200);
      cli.child.kill('SIGTERM');
      assert.equal(await cli.exited(), 0);
    });
  });
});

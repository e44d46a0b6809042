import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dropDatabase } from '../../src/db/ensure-database.ts';
import { seedMiner } from '../helpers/seed.ts';
import { runCli } from '../helpers/spawn-cli.ts';
import { databaseExists, randomDatabaseUrl, useTestDatabase } from '../helpers/test-database.ts';

const database = useTestDatabase();
const env = () => ({ EVALPOOL_DATABASE_URL: database.url, EVALPOOL_LOG_LEVEL: 'warn' });

/** The miners table's row count, as `db status --json` reports it (the reset kills the harness's connections). */
async function minerRows(): Promise<number> {
  const status = await runCli(['db', 'status', '--json'], env());
  assert.equal(status.code, 0, status.stderr);
  return (JSON.parse(status.stdout) as { tables: { table: string; rows: number }[] }).tables.find((t) => t.table === 'miners')!.rows;
}

describe('evalpool db reset', () => {
  test('asks first like every destructive command: without a terminal it needs --yes; --force still works', async () => {
    await seedMiner(database.db, { uid: 1 });
    const refused = await runCli(['db', 'reset'], env());
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /^evalpool: drop database "evalpool_test_\w+" and create it again \(every result, weight and slot is lost\): refusing without a confirmation \(no terminal to ask on\); run again with --yes\n$/,
    );
    assert.equal(await minerRows(), 1, 'nothing reset');

    const reset = await runCli(['db', 'reset', '--yes'], env());
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /^database "evalpool_test_\w+" was reset \(\d+ migrations applied\)\n$/);
    assert.equal(await minerRows(), 0);

    const old = await runCli(['db', 'reset', '--force'], env());
    assert.equal(old.code, 0, old.stderr);
    const help = await runCli(['db', 'reset', '--help']);
    assert.match(help.stdout, /--yes/);
    assert.doesNotMatch(help.stdout, /--force/, 'the old flag is not advertised');
  });

  test('a database that does not exist: says so and creates it, without a question (nothing is lost)', async () => {
    const url = randomDatabaseUrl();
    const name = new URL(url).pathname.slice(1);
    try {
      const result = await runCli(['db', 'reset'], { EVALPOOL_DATABASE_URL: url, EVALPOOL_LOG_LEVEL: 'warn' });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '');
      assert.match(
        result.stdout,
        new RegExp(
          `^database "${name}" does not exist, so nothing is lost: db reset creates it\ndatabase "${name}" was created \\(\\d+ migrations applied\\)\n$`,
        ),
      );
      assert.doesNotMatch(result.stdout, /drop database|is lost\)/);
      assert.equal(await databaseExists(url), true);
      const status = await runCli(['db', 'status', '--json'], { EVALPOOL_DATABASE_URL: url });
      assert.equal(status.code, 0, status.stderr);
      assert.deepEqual((JSON.parse(status.stdout) as { migrations_pending: string[] }).migrations_pending, []);
    } finally {
      await dropDatabase(url);
    }
  });

  test('--json: the outcome as one document, refused or done', async () => {
    const reset = await runCli(['db', 'reset', '--yes', '--json'], env());
    assert.equal(reset.code, 0, reset.stderr);
    const done = JSON.parse(reset.stdout) as { database: string; reset: boolean; created: boolean; migrations_applied: number };
    assert.match(done.database, /^evalpool_test_\w+$/);
    assert.equal(done.reset, true);
    assert.equal(done.created, false);
    assert.ok(done.migrations_applied > 0);
  });
});

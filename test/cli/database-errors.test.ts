import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from '../helpers/spawn-cli.ts';
import { databaseExists, randomDatabaseUrl, useTestDatabase } from '../helpers/test-database.ts';

/** The commands that read the database; none of them may answer a database problem with a stack trace. */
const READERS = [
  ['tasks', 'stats'],
  ['db', 'status'],
  ['weights', 'show'],
  ['slots', 'show'],
  ['sampling', 'show'],
  ['migrate', 'status'],
  // A worker process reads the schema (and its envs) before it consumes anything.
  ['worker', '--envs', 'mujoco/reach-v1'],
] as const;

/** One sentence on stderr after the `evalpool:` prefix, and no stack frame. */
function assertOneSentence(stderr: string, pattern: RegExp, command: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, `${command}: no stack trace, got ${stderr}`);
  assert.equal(stderr.trimEnd().split('\n').length, 1, `${command}: one line, got ${stderr}`);
  assert.match(stderr, pattern, command);
}

describe('a database the CLI cannot use is one sentence, never a stack trace', () => {
  const empty = useTestDatabase({ migrate: false });

  test('a missing database: every reader names it and says how to create it; none creates it', async () => {
    const url = randomDatabaseUrl();
    const name = new URL(url).pathname.slice(1);
    const results = await Promise.all(READERS.map((args) => runCli(args, { EVALPOOL_DATABASE_URL: url })));
    results.forEach((result, i) => {
      const command = READERS[i]!.join(' ');
      assert.equal(result.code, 1, command);
      assertOneSentence(
        result.stderr,
        new RegExp(`^evalpool: database "${name}" does not exist; \`evalpool migrate\` creates it`),
        command,
      );
    });
    assert.equal(await databaseExists(url), false);
  });

  test('a database without the evalpool tables: run evalpool migrate (the same sentence from a worker)', async () => {
    for (const args of [
      ['tasks', 'stats'],
      ['worker', '--envs', 'mujoco/reach-v1'],
    ]) {
      const result = await runCli(args, { EVALPOOL_DATABASE_URL: empty.url });
      assert.equal(result.code, 1, args.join(' '));
      assertOneSentence(
        result.stderr,
        /^evalpool: database "\w+" lacks a table this evalpool needs \(relation "\w+" does not exist\): it is not migrated, or older than this version; run `evalpool migrate`/,
        args.join(' '),
      );
    }
  });

  test('a URL without a user, or with a role Postgres does not know: the refusal and where the user goes', async () => {
    const url = new URL(randomDatabaseUrl());
    url.username = '';
    const noUser = await runCli(['db', 'status'], { EVALPOOL_DATABASE_URL: url.toString() });
    assert.equal(noUser.code, 1);
    assertOneSentence(
      noUser.stderr,
      /^evalpool: Postgres refused the connection to postgres:\/\/127\.0\.0\.1:5432\/\w+: no PostgreSQL user name specified.*put the user \(and password\) in EVALPOOL_DATABASE_URL/,
      'no user',
    );
    url.username = 'evalpool_no_such_role';
    url.password = 'secret';
    const unknownRole = await runCli(['tasks', 'stats'], { EVALPOOL_DATABASE_URL: url.toString() });
    assert.equal(unknownRole.code, 1);
    assertOneSentence(
      unknownRole.stderr,
      /^evalpool: Postgres refused the connection to .*role "evalpool_no_such_role" does not exist/,
      'unknown role',
    );
    assert.doesNotMatch(unknownRole.stderr, /secret/, 'the password is masked');
  });
});

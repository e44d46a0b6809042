import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { dropDatabase, ensureDatabase, splitDatabaseUrl } from '../../src/db/ensure-database.ts';
import { randomDatabaseUrl } from '../helpers/test-database.ts';

test('ensureDatabase creates a missing database once; dropDatabase removes it', async () => {
  const url = randomDatabaseUrl();
  try {
    assert.equal(await ensureDatabase(url), true);
    assert.equal(await ensureDatabase(url), false);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.end();
  } finally {
    await dropDatabase(url);
  }
  const { name, adminUrl } = splitDatabaseUrl(url);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
  await admin.end();
  assert.equal(found.rowCount, 0);
});

test('splitDatabaseUrl refuses a URL without a database name', () => {
  assert.throws(() => splitDatabaseUrl('postgres://h:5432/'), /names no database/);
});

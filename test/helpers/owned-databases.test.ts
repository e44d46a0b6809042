import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dropDatabase, ensureDatabase, splitDatabaseUrl } from '../../src/db/ensure-database.ts';
import { dropOrphanedDatabases } from './owned-databases.ts';
import { spawnEntry } from './spawn-cli.ts';
import { testConfig } from './test-config.ts';
import { databaseExists, useTestDatabase } from './test-database.ts';

const database = useTestDatabase({ migrate: false });
const ORPHAN = fileURLToPath(new URL('./orphan-database-process.ts', import.meta.url));
const { adminUrl } = splitDatabaseUrl(testConfig().storage.databaseUrl);

const urlOf = (name: string): string => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

describe('databases of test processes that were killed', () => {
  // Not this harness's names: another host's (the tag is not hex), the old unowned form.
  const foreign = ['evalpool_test_zzzzzz_p999999_0123456789', 'evalpool_test_0123456789'];
  after(async () => {
    for (const name of foreign) await dropDatabase(urlOf(name));
  });

  test('a killed process leaves its database; the next sweep drops it and nothing else', async () => {
    for (const name of foreign) await ensureDatabase(urlOf(name));
    const orphan = spawnEntry(ORPHAN, []);
    const url = String((await orphan.waitForLog((line) => typeof line.url === 'string')).url);
    const { name } = splitDatabaseUrl(url);
    orphan.child.kill('SIGKILL');
    await orphan.exited();
    assert.equal(await databaseExists(urlOf(name)), true, 'kill -9 skipped the cleanup');

    const dropped = await dropOrphanedDatabases(adminUrl, 'evalpool_test_', 30_000);
    assert.ok(dropped.includes(name), `dropped: ${dropped.join(', ')}`);
    assert.equal(await databaseExists(urlOf(name)), false);
    // This live process's database, and the names it does not own, are kept.
    assert.equal(await databaseExists(database.url), true);
    for (const other of foreign) assert.equal(await databaseExists(urlOf(other)), true, other);
  });
});

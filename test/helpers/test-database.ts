import { after, before } from 'node:test';
import type { Kysely } from 'kysely';
import { connectClient } from '../../src/db/connection-loss.ts';
import { createDatabase } from '../../src/db/database.ts';
import { dropDatabase, ensureDatabase, splitDatabaseUrl } from '../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/schema.ts';
import { dropOrphanedDatabases, ownedDatabaseName } from './owned-databases.ts';
import { testConfig } from './test-config.ts';
import { testLogger } from './test-logger.ts';

/** A migrated database of its own for one test file. */
export interface TestDatabase {
  readonly url: string;
  readonly db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Connection timeout of the harness: generous, since test files create databases in parallel on a loaded machine. */
const HARNESS_CONNECT_TIMEOUT_MS = 30_000;

const PREFIX = 'evalpool_test_';

/** The URL of a new, randomly named database on the configured server, owned by this process. */
export function randomDatabaseUrl(): string {
  const url = new URL(testConfig().storage.databaseUrl);
  url.pathname = `/${ownedDatabaseName(PREFIX)}`;
  return url.toString();
}

let swept: Promise<unknown> | undefined;

/**
 * Drops, once per process, the test databases of test processes that are gone (killed or
 * cancelled before their `after` hooks ran), so that none accumulates across runs.
 */
function sweepOrphans(): Promise<unknown> {
  const { adminUrl } = splitDatabaseUrl(testConfig().storage.databaseUrl);
  swept ??= dropOrphanedDatabases(adminUrl, PREFIX, HARNESS_CONNECT_TIMEOUT_MS);
  return swept;
}

/** Whether the database of `url` exists on its server (asked through the server's admin database). */
export async function databaseExists(url: string): Promise<boolean> {
  const { name, adminUrl } = splitDatabaseUrl(url);
  const client = await connectClient(adminUrl);
  try {
    return ((await client.query('select 1 from pg_database where datname = $1', [name])).rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/** Creates and migrates a fresh database. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  await sweepOrphans();
  const url = randomDatabaseUrl();
  await ensureDatabase(url, HARNESS_CONNECT_TIMEOUT_MS);
  const db = createDatabase({ url, poolSize: 5, logger: testLogger(), connectTimeoutMs: HARNESS_CONNECT_TIMEOUT_MS });
  if (options.migrate ?? true) {
    const run = await migrateToLatest(db);
    if (run.error) throw run.error;
  }
  let dropped: Promise<void> | undefined;
  return {
    url,
    db,
    drop() {
      dropped ??= db.destroy().then(() => dropDatabase(url, HARNESS_CONNECT_TIMEOUT_MS));
      return dropped;
    },
  };
}

/**
 * Registers `before`/`after` hooks that give the current test file its own migrated database
 * (random name) and drop it afterwards. Read `.db`/`.url` inside tests, not at import time.
 */
export function useTestDatabase(options: { migrate?: boolean } = {}): TestDatabase {
  let current: TestDatabase | undefined;
  before(async () => {
    current = await createTestDatabase(options);
  });
  after(async () => {
    await current?.drop();
  });
  const get = (): TestDatabase => {
    if (!current) throw new Error('useTestDatabase: the database exists only inside tests (after the before hook ran)');
    return current;
  };
  return {
    get url() {
      return get().url;
    },
    get db() {
      return get().db;
    },
    drop: () => get().drop(),
  };
}

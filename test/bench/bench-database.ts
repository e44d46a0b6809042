import type { Kysely } from 'kysely';
import { createDatabase } from '../../src/db/database.ts';
import { dropDatabase, ensureDatabase } from '../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/schema.ts';
import { dropOrphanedDatabases, ownedDatabaseName } from '../helpers/owned-databases.ts';
import { testLogger } from '../helpers/test-logger.ts';

/** A migrated database of a bench's own, on the server of `postgresUrl`; `drop()` removes it. */
export interface BenchDatabase {
  readonly url: string;
  readonly db: Kysely<Database>;
  drop(): Promise<void>;
}

/**
 * Creates and migrates `evalpool_bench_<owner>_<label>_<random>` next to the database of `postgresUrl`,
 * after dropping those of bench processes that are gone (a bench stopped by hand leaves
 * gigabytes behind otherwise).
 */
export async function createBenchDatabase(postgresUrl: string, label: string, poolSize = 4): Promise<BenchDatabase> {
  const url = new URL(postgresUrl);
  await dropOrphanedDatabases(url.toString(), 'evalpool_bench_', 30_000);
  url.pathname = `/${ownedDatabaseName('evalpool_bench_', label)}`;
  await ensureDatabase(url.toString());
  // Seeding inserts millions of rows in one statement: no statement timeout here (the service's
  // own queries are what the benches time, and they stay far below it).
  const db = createDatabase({ url: url.toString(), poolSize, statementTimeoutMs: 0, logger: testLogger() });
  const drop = async (): Promise<void> => {
    await db.destroy();
    await dropDatabase(url.toString());
  };
  const run = await migrateToLatest(db);
  if (run.error) {
    await drop();
    throw run.error;
  }
  return { url: url.toString(), db, drop };
}

import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pino from 'pino';
import { createDatabase } from '../../src/db/database.ts';
import { dropDatabase, ensureDatabase } from '../../src/db/ensure-database.ts';
import { migrateToLatest } from '../../src/db/migrator.ts';
import type { Database } from '../../src/db/schema.ts';

/** A migrated database of a bench's own, on the server of `postgresUrl`; `drop()` removes it. */
export interface BenchDatabase {
  readonly url: string;
  readonly db: Kysely<Database>;
  drop(): Promise<void>;
}

/** Creates and migrates `evalpool_bench_<random>` next to the database of `postgresUrl`. */
export async function createBenchDatabase(postgresUrl: string, label: string): Promise<BenchDatabase> {
  const url = new URL(postgresUrl);
  url.pathname = `/evalpool_bench_${label}_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(url.toString());
  const db = createDatabase({ url: url.toString(), poolSize: 4, logger: pino({ level: 'silent' }) });
  const run = await migrateToLatest(db);
  if (run.error) throw run.error;
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy();
      await dropDatabase(url.toString());
    },
  };
}

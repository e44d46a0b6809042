import { type Kysely, sql } from 'kysely';
import { createConfiguredDatabase } from '../db/database.ts';
import { splitDatabaseUrl } from '../db/ensure-database.ts';
import type { Database } from '../db/schema.ts';
import { postgresErrorOf, SQL_STATE } from '../db/sql-state.ts';
import { SamplingError } from '../sampling/sampling-error.ts';
import type { CommandContext } from './context.ts';
import { missingDatabaseSentence, unmigratedDatabaseSentence } from './friendly-errors.ts';

function fail(message: string): void {
  process.stderr.write(`evalpool: ${message}\n`);
  process.exitCode = 1;
}

/**
 * Runs `body` against the configured database for a command that reads or changes it. Unlike
 * `serve` and `migrate`, it never creates the database: a missing or unmigrated one gets a clear
 * sentence and exit code 1, and so do the sampling room's refusals (unknown env, dataset too
 * small). Use inside `runCommand`, which explains an unreachable Postgres.
 */
export async function withExistingDatabase(context: CommandContext, body: (db: Kysely<Database>) => Promise<void>): Promise<void> {
  const { config, logger } = context;
  const { name } = splitDatabaseUrl(config.storage.databaseUrl);
  const db = createConfiguredDatabase(config.storage, 2, logger);
  try {
    let migrated: boolean;
    try {
      const found = await sql<{ table: string | null }>`select to_regclass('sampling_lists')::text as table`.execute(db);
      migrated = found.rows[0]?.table != null;
    } catch (error) {
      if (postgresErrorOf(error)?.code !== SQL_STATE.invalidCatalogName) throw error;
      fail(missingDatabaseSentence(name));
      return;
    }
    if (!migrated) {
      fail(unmigratedDatabaseSentence(name));
      return;
    }
    await body(db);
  } catch (error) {
    if (!(error instanceof SamplingError)) throw error;
    fail(error.message);
  } finally {
    await db.destroy();
  }
}

import { type Kysely, sql } from 'kysely';
import { createConfiguredDatabase } from '../db/database.ts';
import { splitDatabaseUrl } from '../db/ensure-database.ts';
import type { Database } from '../db/schema.ts';
import { SamplingError } from '../sampling/sampling-error.ts';
import type { CommandContext } from './context.ts';

/** Postgres: "database does not exist". */
const INVALID_CATALOG = '3D000';

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
      if ((error as { code?: string }).code !== INVALID_CATALOG) throw error;
      fail(`database "${name}" does not exist; \`evalpool migrate\` creates it (so does \`evalpool serve\` on start)`);
      return;
    }
    if (!migrated) {
      fail(`database "${name}" has no evalpool tables; run \`evalpool migrate\``);
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

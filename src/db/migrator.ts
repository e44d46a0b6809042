import { promises as fs } from 'node:fs';
import path, { join } from 'node:path';
import { FileMigrationProvider, type Kysely, type MigrationResult, Migrator } from 'kysely';
import { PACKAGE_ROOT } from '../runtime/package-root.ts';
import type { Database } from './schema.ts';

/**
 * The project's `migrations/` folder, wherever the process was started from; `dist/migrations/`
 * when this code runs compiled (bin/evalpool.js), since Node cannot import the `.ts` files then.
 */
const MIGRATIONS_DIR = join(PACKAGE_ROOT, import.meta.url.endsWith('.ts') ? 'migrations' : 'dist/migrations');

/** A Kysely migrator over `migrations/` (files named `NNNN_description.ts`, applied in name order). */
function createMigrator(db: Kysely<Database>): Migrator {
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
  });
}

/** Outcome of a migration run: what ran, and the error if one stopped it. */
export interface MigrationRun {
  readonly results: readonly MigrationResult[];
  readonly error?: Error;
}

function wrap(run: { results?: MigrationResult[]; error?: unknown }): MigrationRun {
  const error = run.error === undefined ? undefined : run.error instanceof Error ? run.error : new Error(JSON.stringify(run.error));
  return error ? { results: run.results ?? [], error } : { results: run.results ?? [] };
}

/** Applies every pending migration. Never throws: the error is returned. */
export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationRun> {
  return wrap(await createMigrator(db).migrateToLatest());
}

/** Reverts the last applied migration. */
export async function migrateDown(db: Kysely<Database>): Promise<MigrationRun> {
  return wrap(await createMigrator(db).migrateDown());
}

/** Each known migration and when it was applied (undefined = pending). */
export async function migrationStatus(db: Kysely<Database>): Promise<{ name: string; executedAt: Date | undefined }[]> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}

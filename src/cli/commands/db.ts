import type { Command } from 'commander';
import { sql } from 'kysely';
import { maskUrlPassword } from '../../config/mask.ts';
import { createConfiguredDatabase } from '../../db/database.ts';
import { dropDatabase, ensureDatabase, splitDatabaseUrl } from '../../db/ensure-database.ts';
import { migrateToLatest, migrationStatus } from '../../db/migrator.ts';
import { loadContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { runCommand } from '../run-command.ts';

/** Tables shown by `db status`, in schema order. */
const TABLES = ['miners', 'sampling_lists', 'rotations', 'results', 'attempts', 'miner_slots', 'slot_history', 'weights', 'score_snapshots'] as const;

/** `evalpool db status` and `evalpool db reset --force`. */
export function register(program: Command): void {
  const db = program.command('db').description('inspect or reset the database');

  db.command('status')
    .description('show the database, its migrations and the row count of each table')
    .action(async () => {
      const { config, logger } = loadContext();
      await runCommand(config, async () => {
        const kysely = createConfiguredDatabase(config.storage, 1, logger);
        try {
          const version = await sql<{ version: string }>`select version()`.execute(kysely);
          console.log(`database: ${maskUrlPassword(config.storage.databaseUrl)}`);
          console.log(`server:   ${version.rows[0]?.version.split(',')[0] ?? '?'}`);
          const migrations = await migrationStatus(kysely);
          const pending = migrations.filter((m) => !m.executedAt).map((m) => m.name);
          console.log(`migrations: ${migrations.length - pending.length} applied, ${pending.length} pending${pending.length ? ` (${pending.join(', ')})` : ''}`);
          const rows: [string, number | string][] = [];
          for (const table of TABLES) {
            try {
              const count = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(kysely);
              rows.push([table, count.rows[0]?.n ?? 0]);
            } catch {
              rows.push([table, 'missing']);
            }
          }
          console.log(formatTable(['table', 'rows'], rows));
        } finally {
          await kysely.destroy();
        }
      });
    });

  db.command('reset')
    .description('drop the database and create it again, migrated (all results are lost)')
    .option('--force', 'confirm that every row may be deleted')
    .action(async (options: { force?: boolean }) => {
      const { config, logger } = loadContext();
      const { name } = splitDatabaseUrl(config.storage.databaseUrl);
      if (!options.force) {
        program.error(`evalpool db reset: this deletes every row of database "${name}"; run again with --force to confirm`, { exitCode: 2 });
      }
      await runCommand(config, async () => {
        await dropDatabase(config.storage.databaseUrl);
        await ensureDatabase(config.storage.databaseUrl);
        const kysely = createConfiguredDatabase(config.storage, 1, logger);
        try {
          const run = await migrateToLatest(kysely);
          if (run.error) throw run.error;
          console.log(`database "${name}" was reset (${run.results.length} migrations applied)`);
        } finally {
          await kysely.destroy();
        }
      });
    });
}

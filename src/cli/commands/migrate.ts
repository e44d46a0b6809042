import type { Command } from 'commander';
import { createConfiguredDatabase } from '../../db/database.ts';
import { ensureDatabase } from '../../db/ensure-database.ts';
import { migrateDown, migrateToLatest, migrationStatus, type MigrationRun } from '../../db/migrator.ts';
import { loadContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { runCommand } from '../run-command.ts';

function report(run: MigrationRun, nothing: string): void {
  if (run.results.length === 0 && !run.error) console.log(nothing);
  else console.log(formatTable(['migration', 'direction', 'status'], run.results.map((r) => [r.migrationName, r.direction, r.status])));
  if (run.error) throw run.error;
}

/** `evalpool migrate [up|down|status]`. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply (up, the default), revert the last (down) or list (status) database migrations')
    .argument('[action]', 'up | down | status', 'up')
    .action(async (action: string) => {
      if (!['up', 'down', 'status'].includes(action)) program.error(`evalpool migrate: unknown action "${action}" (use up, down or status)`, { exitCode: 2 });
      const { config, logger } = loadContext();
      await runCommand(config, async () => {
        if (action === 'up') await ensureDatabase(config.storage.databaseUrl);
        const db = createConfiguredDatabase(config.storage, 1, logger);
        try {
          if (action === 'up') report(await migrateToLatest(db), 'the database is up to date');
          else if (action === 'down') report(await migrateDown(db), 'no migration to revert');
          else {
            const rows = await migrationStatus(db);
            console.log(formatTable(['migration', 'state', 'applied at'], rows.map((m) => [m.name, m.executedAt ? 'applied' : 'pending', m.executedAt?.toISOString()])));
          }
        } finally {
          await db.destroy();
        }
      });
    });
}

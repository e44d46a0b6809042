import type { Command } from 'commander';
import { outputFlags, type OutputOptions } from '../output.ts';

/** `evalpool db status` and `evalpool db reset --force`. */
export function register(program: Command): void {
  const db = program.command('db').description('inspect or reset the database');

  outputFlags(db.command('status'))
    .description('show the database, its migrations and the row count of each table')
    .action(async (options: OutputOptions) => (await import('./db-actions.ts')).dbStatus(options));

  db.command('reset')
    .description('drop the database and create it again, migrated (all results are lost)')
    .option('--force', 'confirm that every row may be deleted')
    .action(async (options: { force?: boolean }) => (await import('./db-actions.ts')).dbReset(program, options));
}

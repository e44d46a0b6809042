import { type Command, Option } from 'commander';
import { jsonFlag, type OutputOptions, outputFlags } from '../output.ts';

/** `evalpool db status` and `evalpool db reset [--yes]`. */
export function register(program: Command): void {
  const db = program.command('db').description('inspect or reset the database');

  outputFlags(db.command('status'))
    .description('show the database, its migrations and the row count of each table')
    .action(async (options: OutputOptions) => (await import('./db-actions.ts')).dbStatus(options));

  jsonFlag(db.command('reset'), 'a sentence')
    .description('drop the database and create it again, migrated (all results are lost)')
    .option('--yes', 'reset without asking (needed when there is no terminal)')
    // The flag of older releases, kept working for scripts; --yes is the one flag of every destructive command.
    .addOption(new Option('--force').hideHelp())
    .action(async (options: OutputOptions & { yes?: boolean; force?: boolean }) => (await import('./db-actions.ts')).dbReset(options));
}

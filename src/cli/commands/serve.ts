import type { Command } from 'commander';

/** `evalpool serve`: the HTTP API, and the scheduler when this replica holds the lease. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (and the scheduler leader, and inline workers if configured)')
    .option('--no-migrate', 'do not create the database or apply migrations on start')
    .action(async (options: { migrate: boolean }) => (await import('./serve-action.ts')).serve(options));
}

import type { Command } from 'commander';
import type { MigrateOptions } from './migrate-action.ts';

/** `evalpool migrate [up|down|status]`. */
export function register(program: Command): void {
  program
    .command('migrate')
    .description('apply (up, the default), revert the last (down) or list (status) database migrations')
    .argument('[action]', 'up | down | status', 'up')
    .option('--yes', 'down: revert without asking')
    .option('--json', 'print JSON instead of a table')
    .action(async (action: string, options: MigrateOptions) => {
      if (!['up', 'down', 'status'].includes(action))
        program.error(`evalpool: unknown migrate action "${action}" (use up, down or status)`, { exitCode: 2 });
      await (await import('./migrate-action.ts')).migrate(action as 'up' | 'down' | 'status', options);
    });
}

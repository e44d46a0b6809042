import type { Command } from 'commander';
import { stopOnSignals } from '../../runtime/lifecycle.ts';
import { startServe } from '../../service/serve.ts';
import { loadContext } from '../context.ts';
import { runCommand } from '../run-command.ts';

/** `evalpool serve`: the HTTP API, and the scheduler when this replica holds the lease. */
export function register(program: Command): void {
  program
    .command('serve')
    .description('run the HTTP API (and the scheduler leader, and inline workers if configured)')
    .option('--no-migrate', 'do not create the database or apply migrations on start')
    .action(async (options: { migrate: boolean }) => {
      const { config, logger } = loadContext();
      await runCommand(config, async () => {
        const running = await startServe(config, logger, { migrate: options.migrate && config.server.migrateOnStart });
        stopOnSignals(running.lifecycle, logger, config.server.shutdownGraceMs);
      });
    });
}

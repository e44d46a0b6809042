import { stopOnSignals } from '../../runtime/lifecycle.ts';
import { startServe } from '../../service/serve.ts';
import { loadContext } from '../context.ts';
import { runCommand } from '../run-command.ts';

/** The body of `evalpool serve` (loaded when it runs: see main.ts). */
export async function serve(options: { migrate: boolean }): Promise<void> {
  const { config, logger } = loadContext();
  await runCommand(config, async () => {
    const running = await startServe(config, logger, { migrate: options.migrate && config.server.migrateOnStart });
    stopOnSignals(running.lifecycle, logger, config.server.shutdownGraceMs);
  });
}

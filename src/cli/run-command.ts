import type { Config } from '../config/schema.ts';
import { CommandInputError } from './command-input-error.ts';
import { ConfirmationRequiredError, EXIT_UNCONFIRMED } from './confirm.ts';
import { explainStartError } from './friendly-errors.ts';

/**
 * Runs a command body and turns the errors users meet (Postgres or Redis not running, the API's
 * port taken, a filter that matches nothing, a refused confirmation) into one clear sentence and
 * a non-zero exit code instead of a stack trace. `portFlag`: the command's flag for the API's
 * port (see StartSettings), named in the hint when the port is taken.
 */
export async function runCommand(config: Config, body: () => Promise<void>, options: { portFlag?: string } = {}): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof ConfirmationRequiredError || error instanceof CommandInputError) {
      process.stderr.write(`evalpool: ${error.message}\n`);
      process.exitCode = error instanceof ConfirmationRequiredError ? EXIT_UNCONFIRMED : 1;
      return;
    }
    const explained = explainStartError(error, {
      databaseUrl: config.storage.databaseUrl,
      redisUrl: config.storage.redisUrl,
      port: config.server.port,
      ...options,
    });
    process.stderr.write(`evalpool: ${explained ?? (error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

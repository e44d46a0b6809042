import type { Config } from '../config/schema.ts';
import { explainStartError } from './friendly-errors.ts';

/**
 * Runs a command body and turns the errors users meet (Postgres or Redis not running, the API's
 * port taken) into one clear sentence and exit code 1 instead of a stack trace.
 */
export async function runCommand(config: Config, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const explained = explainStartError(error, {
      databaseUrl: config.storage.databaseUrl,
      redisUrl: config.storage.redisUrl,
      port: config.server.port,
    });
    process.stderr.write(`evalpool: ${explained ?? ((error as Error)?.stack ?? String(error))}\n`);
    process.exitCode = 1;
  }
}

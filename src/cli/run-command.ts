import type { Config } from '../config/schema.ts';
import { explainConnectionError } from './friendly-errors.ts';

/**
 * Runs a command body and turns the errors users meet (Postgres or Redis not running) into one
 * clear sentence and exit code 1 instead of a stack trace.
 */
export async function runCommand(config: Config, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const explained =
      explainConnectionError(error, 'postgres', config.storage.databaseUrl) ??
      ((error as Error)?.message?.includes('Redis') ? explainConnectionError(error, 'redis', config.storage.redisUrl) : undefined);
    process.stderr.write(`evalpool: ${explained ?? ((error as Error)?.stack ?? String(error))}\n`);
    process.exitCode = 1;
  }
}

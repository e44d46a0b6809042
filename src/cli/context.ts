import { ConfigError } from '../config/config-error.ts';
import { loadConfigFromProcess } from '../config/from-process.ts';
import type { Config } from '../config/schema.ts';
import { createLogger, type Logger } from '../runtime/logger.ts';

/** What every command starts from. */
export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
}

/** Exit code for a configuration error, before anything started. */
export const EXIT_CONFIG = 2;

/**
 * Parses the configuration or stops the process with exit code 2, printing every offending
 * variable, its (masked) value and its rule. `overrides` are CLI flags that map to variables.
 */
export function loadContext(overrides: Readonly<Record<string, string>> = {}): CommandContext {
  try {
    const config = loadConfigFromProcess(overrides);
    return { config, logger: createLogger(config) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`evalpool: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

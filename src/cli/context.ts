import { ConfigError } from '../config/config-error.ts';
import { PRINTING_LOG_LEVEL } from '../config/constants.ts';
import { isSetInProcess, loadConfigFromProcess } from '../config/from-process.ts';
import type { Config } from '../config/schema.ts';
import { createLogger, type Logger, type LoggerOptions } from '../runtime/logger.ts';

/** What every command starts from. */
export interface CommandContext {
  readonly config: Config;
  readonly logger: Logger;
}

/** Options of {@link loadContext}. */
export interface ContextOptions {
  /** The command's own defaults for `EVALPOOL_*` variables; the environment and flags override them. */
  readonly defaults?: Readonly<Record<string, string>>;
  /** Where the logger writes (e.g. a stream that keeps log lines above a progress display). */
  readonly logger?: LoggerOptions;
}

/** Exit code for a configuration error, before anything started. */
export const EXIT_CONFIG = 2;

/**
 * Parses the configuration or stops the process with exit code 2, printing every offending
 * variable, its (masked) value and its rule. `overrides` are CLI flags that map to variables.
 */
export function loadContext(overrides: Readonly<Record<string, string>> = {}, options: ContextOptions = {}): CommandContext {
  try {
    const config = loadConfigFromProcess(overrides, options.defaults);
    return { config, logger: createLogger(config, options.logger) };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`evalpool: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

/**
 * {@link loadContext} for a one-shot command that prints a result (a table, JSON): it logs only
 * errors unless `EVALPOOL_LOG_LEVEL` is set, and to stderr, readable on a terminal, so that log
 * lines never mix into the result on stdout. Long-running commands (serve, worker, demo,
 * validator) use {@link loadContext} and log at `info`.
 */
export function loadPrintingContext(overrides: Readonly<Record<string, string>> = {}): CommandContext {
  const context = loadContext(overrides, { logger: { destination: process.stderr, isTTY: process.stderr.isTTY === true } });
  if (isSetInProcess('EVALPOOL_LOG_LEVEL') || overrides.EVALPOOL_LOG_LEVEL !== undefined) return context;
  // The logger's level only: the config keeps its values (`config check` prints the ones serve would use).
  context.logger.level = PRINTING_LOG_LEVEL;
  return context;
}

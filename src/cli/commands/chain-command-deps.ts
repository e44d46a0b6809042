import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import type { Config } from '../../config/schema.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Logger } from '../../runtime/logger.ts';
import { loadContext, loadPrintingContext } from '../context.ts';

/** What the chain commands (`crypto`, `miners`, `validator`) need from the outside; tests replace it. */
export interface ChainCommandDeps {
  /** Writes a line to standard output. */
  readonly out: (line: string) => void;
  /** Writes a line to standard error. */
  readonly err: (line: string) => void;
  /** Makes the logger (default: standard error at EVALPOOL_LOG_LEVEL, or errors only for a printing command when it is unset; readable on a terminal, JSON lines otherwise). */
  readonly logger: () => Logger;
  /** The configuration flags fall back to (default: parsed from the environment; exit 2 if invalid). */
  readonly config: () => Config;
  /** Replaces the WebSocket provider for a chain endpoint (tests run an in-process node). */
  readonly createProvider?: (endpoint: string) => ProviderInterface;
}

/**
 * The real process's streams and logger, with `overrides` applied. A one-shot command that prints
 * (`miners show`, `crypto …`) passes `printing`: its logger logs errors only, as in context.ts
 * (loadPrintingContext); the validator logs at info.
 */
export function chainCommandDeps(overrides: Partial<ChainCommandDeps> = {}, printing = false): ChainCommandDeps {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    // The same rule as every other command: EVALPOOL_LOG_LEVEL when set, else errors only for a
    // printing command and the configured level (info by default) for the validator.
    logger: () =>
      (printing
        ? loadPrintingContext()
        : loadContext({}, { logger: { destination: process.stderr, isTTY: process.stderr.isTTY === true } })
      ).logger,
    config: () => loadPrintingContext().config,
    ...overrides,
  };
}

/** The test provider for `endpoint` when the deps replace it, else undefined (the real WebSocket). */
export function replacedProvider(deps: ChainCommandDeps, endpoint: string): (() => ProviderInterface) | undefined {
  const createProvider = deps.createProvider;
  return createProvider === undefined ? undefined : () => createProvider(endpoint);
}

/** Runs a command body; an error becomes one line on stderr and exit code 1, not a stack trace. */
export async function runChainCommand(deps: ChainCommandDeps, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    deps.err(`evalpool: ${errorMessage(error)}`);
    process.exitCode = 1;
  }
}

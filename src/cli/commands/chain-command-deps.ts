import type { ProviderInterface } from '@polkadot/rpc-provider/types';
import { InvalidArgumentError, type Command } from 'commander';
import { pino, type Logger } from 'pino';
import { errorMessage } from '../../runtime/error-message.ts';
import type { Config } from '../../config/schema.ts';
import { loadContext } from '../context.ts';

/** What the chain commands (`crypto`, `miners`, `validator`) need from the outside; tests replace it. */
export interface ChainCommandDeps {
  /** Writes a line to standard output. */
  readonly out: (line: string) => void;
  /** Writes a line to standard error. */
  readonly err: (line: string) => void;
  /** Makes the logger (default: pino JSON on standard error, level info). */
  readonly logger: () => Logger;
  /** The configuration flags fall back to (default: parsed from the environment; exit 2 if invalid). */
  readonly config: () => Config;
  /** Replaces the WebSocket provider for a chain endpoint (tests run an in-process node). */
  readonly createProvider?: (endpoint: string) => ProviderInterface;
}

/** The real process's streams and logger, with `overrides` applied. */
export function chainCommandDeps(overrides: Partial<ChainCommandDeps> = {}): ChainCommandDeps {
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    logger: () => pino({ level: 'info' }, pino.destination(2)),
    config: () => loadContext().config,
    ...overrides,
  };
}

/** Commander parser for a subnet id (0-65535). */
function parseNetuid(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw new InvalidArgumentError('expected a subnet id, an integer from 0 to 65535');
  return n;
}

/** Commander parser for a duration in seconds (> 0, fractions allowed), returned in ms. */
export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return Math.round(n * 1000);
}

/** Options of the chain flags that {@link chainFlags} adds. */
export interface ChainFlags {
  chainEndpoint?: string;
  netuid?: number;
  timeout?: number;
}

/**
 * Adds the flags every command that reads the chain shares: the endpoint, the subnet and the
 * per-call timeout, each falling back to its variable.
 */
export function chainFlags(command: Command): Command {
  return command
    .option('--chain-endpoint <url>', 'subtensor WebSocket endpoint (default EVALPOOL_CHAIN_ENDPOINT)')
    .option('--netuid <n>', 'subnet id (default EVALPOOL_NETUID)', parseNetuid)
    .option('--timeout <seconds>', 'per-call chain timeout (default EVALPOOL_CHAIN_TIMEOUT_MS)', parseSeconds);
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

import { type Command, InvalidArgumentError } from 'commander';

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

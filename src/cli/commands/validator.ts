import { type Command, InvalidArgumentError } from 'commander';
import type { ChainCommandDeps } from './chain-command-deps.ts';
import { chainFlags, parseSeconds } from './chain-flags.ts';
import type { ValidatorOptions } from './validator-action.ts';

function parseBlocks(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number of blocks >= 1, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * `evalpool validator`: polls a backend's `GET /v1/weights/latest` and sets the weights on chain
 * whenever the block number increases, signed by the validator's hotkey. `--dry-run` polls once
 * and prints what it would submit.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  chainFlags(program.command('validator'))
    .description("poll a backend's weights and set them on chain")
    .option('--backend <url>', 'evalpool backend base URL serving /v1/weights/latest (default EVALPOOL_VALIDATOR_BACKEND_URL)')
    .option(
      '--seed-file <path>',
      'file with the hotkey mnemonic, secret URI or Bittensor hotkey JSON (default EVALPOOL_VALIDATOR_SEED or _FILE)',
    )
    .option('--poll-interval <seconds>', 'seconds between polls (default EVALPOOL_VALIDATOR_POLL_SECONDS)', parseSeconds)
    .option(
      '--resubmit-blocks <blocks>',
      'set the latest weights again when the last setting is this many blocks old (default EVALPOOL_VALIDATOR_RESUBMIT_BLOCKS)',
      parseBlocks,
    )
    .option('--dry-run', 'sign and print what would be submitted, at the same cadence; submit nothing')
    .option('--once', 'poll once (with --dry-run: print the extrinsic) and exit')
    .action(async (options: ValidatorOptions) => (await import('./validator-action.ts')).validator(options, overrides));
}

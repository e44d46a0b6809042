import type { Command } from 'commander';
import { outputFlags } from '../output.ts';
import type { ChainCommandDeps } from './chain-command-deps.ts';
import { chainFlags } from './chain-flags.ts';
import type { ShowOptions } from './miners-show.ts';

/**
 * `evalpool miners show`: reads the configured miner source once and prints its miners,
 * including the excluded ones and why. A chain endpoint wins over a miners file.
 */
export function register(program: Command, overrides: Partial<ChainCommandDeps> = {}): void {
  const miners = program.command('miners').description('miners as the scheduler sees them');

  outputFlags(chainFlags(miners.command('show')))
    .description(
      'read the miner source once (the configured one unless flags say otherwise) and print a table, with excluded miners and reasons',
    )
    .option('--miners-file <path>', 'static miners file (EVALPOOL_MINERS_FILE)')
    .option('--backend-key-file <path>', 'backend private key for encrypted commitments (EVALPOOL_BACKEND_PRIVATE_KEY_FILE)')
    .action(async (options: ShowOptions) => (await import('./miners-show.ts')).minersShow(options, overrides));
}

import type { Command } from 'commander';
import { outputFlags } from '../output.ts';
import type { WeightsShowOptions } from './weights-show.ts';

/** `evalpool weights show [--block N]`. */
export function register(program: Command): void {
  const weights = program.command('weights').description('inspect published weights');

  outputFlags(weights.command('show'))
    .description('print the latest weights (or those of one block): uid, hotkey, weight, u16, points, eligible')
    .option('--block <n>', 'the block whose weights to show (default: the latest)')
    .action(async (options: WeightsShowOptions) => (await import('./weights-show.ts')).weightsShow(program, options));
}

import type { Command } from 'commander';
import { type OutputOptions, outputFlags } from '../output.ts';

/** Flags of `weights show`. */
export interface WeightsShowOptions extends OutputOptions {
  block?: string;
}

/** `evalpool weights show [--block N]`. */
export function register(program: Command): void {
  const weights = program.command('weights').description('inspect published weights');

  outputFlags(weights.command('show'))
    .description('print the latest weights (or those of one block): uid, hotkey, weight, u16, points, eligible')
    .option('--block <n>', 'the block whose weights to show (default: the latest)')
    .action(async (options: WeightsShowOptions) => (await import('./weights-show.ts')).weightsShow(program, options));
}

import type { Command } from 'commander';
import { type OutputOptions, outputFlags } from '../output.ts';

/** `evalpool workers [--json] [--wide]`: the worker registry, and the envs whose pending tasks nobody consumes. */
export function register(program: Command): void {
  outputFlags(program.command('workers'))
    .description('list the workers (live, stale, gone) from their heartbeats in Redis, and the environments no live worker consumes')
    .action(async (options: OutputOptions) => (await import('./workers-action.ts')).listWorkers(options));
}

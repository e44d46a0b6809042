import type { Command } from 'commander';
import type { DemoOptions } from './demo-action.ts';

/** `evalpool demo` (`npm start`): demo miners, `serve` with inline workers, progress until the first weights. */
export function register(program: Command): void {
  program
    .command('demo')
    .description(
      'run the whole system on this machine: demo miners (expert, noisy, random), serve with inline workers, progress until the first weights',
    )
    .option('--port <n>', 'port of the API and dashboard (sets EVALPOOL_PORT; 0 picks a free one)')
    .option('--miners-file <path>', 'miners file (sets EVALPOOL_MINERS_FILE; default: the bundled containers/demo/miners.json)')
    .option(
      '--miner-ports <first>',
      "move the demo's own miners to ports first, first+1, … (default: the ports of the miners file, 9101-9103)",
    )
    .option(
      '--name <name>',
      "the demo's state: database evalpool_demo_<name>, Redis prefix evalpool-demo-<name> (default: one per checkout; two demos share state only with the same name)",
    )
    .action(async (options: DemoOptions, command: Command) => (await import('./demo-action.ts')).demo(options, command));
}

import type { Command } from 'commander';
import { jsonFlag, type OutputOptions, outputFlags } from '../output.ts';

/** `evalpool config check` and `evalpool config table`. */
export function register(program: Command): void {
  const config = program.command('config').description('check the configuration or print its documentation');

  outputFlags(config.command('check'))
    .description(
      'parse every EVALPOOL_* variable and print the values in effect (secrets masked); exit 2 if any is invalid or the miners file cannot be used',
    )
    .action(async (options: OutputOptions) => (await import('./config-actions.ts')).configCheck(options));

  jsonFlag(config.command('table'), 'the markdown table')
    .description('print the markdown table of every variable (default, rule, meaning)')
    .option('--write <page>', 'replace the table between the markers of this page (docs/configuration.md) instead of printing it')
    .action(async (options: OutputOptions & { write?: string }) => (await import('./config-actions.ts')).configTable(options));
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { replaceConfigTable, renderConfigTable } from '../../config/config-table.ts';
import { describeConfig } from '../../config/load-config.ts';
import { loadContext } from '../context.ts';
import { formatTable } from '../format-table.ts';

/** `evalpool config check` and `evalpool config table`. */
export function register(program: Command): void {
  const config = program.command('config').description('check the configuration or print its documentation');

  config
    .command('check')
    .description('parse every EVALPOOL_* variable and print the values in effect (secrets masked); exit 2 if any is invalid')
    .action(() => {
      const { config: parsed } = loadContext();
      const rows = Object.entries(describeConfig(parsed)).map(([name, value]) => [name, value === undefined ? undefined : JSON.stringify(value)]);
      console.log(formatTable(['variable', 'value'], rows));
    });

  config
    .command('table')
    .description('print the markdown table of every variable (default, rule, meaning)')
    .option('--write <readme>', 'replace the table between the markers of this README instead of printing it')
    .action((options: { write?: string }) => {
      if (!options.write) {
        console.log(renderConfigTable());
        return;
      }
      writeFileSync(options.write, replaceConfigTable(readFileSync(options.write, 'utf8')));
      console.log(`updated the configuration table in ${options.write}`);
    });
}

import { readFileSync, writeFileSync } from 'node:fs';
import { replaceConfigTable, renderConfigTable } from '../../config/config-table.ts';
import { describeConfig } from '../../config/load-config.ts';
import { loadPrintingContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { printJson, type OutputOptions } from '../output.ts';

/** `evalpool config check` (loaded when it runs: see main.ts). */
export function configCheck(options: OutputOptions): void {
  const { config } = loadPrintingContext();
  const values = describeConfig(config);
  if (options.json) {
    printJson(Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value ?? null])));
    return;
  }
  const rows = Object.entries(values).map(([name, value]) => [name, value === undefined ? undefined : JSON.stringify(value)]);
  console.log(formatTable(['variable', 'value'], rows, { wide: options.wide }));
}

/** `evalpool config table [--write README.md]` (loaded when it runs: see main.ts). */
export function configTable(options: { write?: string }): void {
  if (!options.write) {
    console.log(renderConfigTable());
    return;
  }
  writeFileSync(options.write, replaceConfigTable(readFileSync(options.write, 'utf8')));
  console.log(`updated the configuration table in ${options.write}`);
}

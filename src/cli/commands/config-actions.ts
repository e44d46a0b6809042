import { readFileSync, writeFileSync } from 'node:fs';
import { configTableRows, renderConfigTable, replaceConfigTable } from '../../config/config-table.ts';
import { describeConfig } from '../../config/load-config.ts';
import type { Config } from '../../config/schema.ts';
import { formatTable } from '../../runtime/format-table.ts';
import { EXIT_CONFIG, loadPrintingContext } from '../context.ts';
import { type OutputOptions, printJson } from '../output.ts';

/**
 * Why the miners file `serve` would read cannot be used (missing, unreadable, invalid), or
 * undefined when it can or a chain endpoint is configured instead (the rule of
 * configured-miner-source.ts).
 */
async function minersFileProblem(config: Config): Promise<string | undefined> {
  if (config.chain.endpoint !== undefined && config.chain.netuid !== undefined) return undefined;
  const { readStaticMinersFile, StaticMinersFileError } = await import('../../chain/static-miners-file.ts');
  try {
    await readStaticMinersFile(config.chain.minersFile);
    return undefined;
  } catch (error) {
    if (error instanceof StaticMinersFileError) return error.message;
    throw error;
  }
}

/** `evalpool config check` (loaded when it runs: see main.ts). */
export async function configCheck(options: OutputOptions): Promise<void> {
  const { config } = loadPrintingContext();
  const values = describeConfig(config);
  if (options.json) printJson(Object.fromEntries(Object.entries(values).map(([name, value]) => [name, value ?? null])));
  else {
    const rows = Object.entries(values).map(([name, value]) => [name, value === undefined ? undefined : JSON.stringify(value)]);
    console.log(formatTable(['variable', 'value'], rows, { wide: options.wide }));
  }
  // Without miners nothing is evaluated: a missing miners file fails the check, not the first hour.
  const problem = await minersFileProblem(config);
  if (problem !== undefined) {
    process.stderr.write(`evalpool: EVALPOOL_MINERS_FILE: ${problem}\n`);
    process.exitCode = EXIT_CONFIG;
  }
}

/** `evalpool config table [--write docs/configuration.md]` (loaded when it runs: see main.ts). */
export function configTable(options: OutputOptions & { write?: string }): void {
  if (options.json && options.write) {
    process.stderr.write('evalpool: --json prints the rows; it does not go with --write\n');
    process.exitCode = EXIT_CONFIG;
    return;
  }
  if (options.json) {
    printJson(configTableRows());
    return;
  }
  if (!options.write) {
    console.log(renderConfigTable());
    return;
  }
  writeFileSync(options.write, replaceConfigTable(readFileSync(options.write, 'utf8')));
  console.log(`updated the configuration table in ${options.write}`);
}

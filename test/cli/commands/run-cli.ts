import { Command } from 'commander';
import type { ChainCommandDeps } from '../../../src/cli/commands/chain-command-deps.ts';
import { testConfig } from '../../helpers/test-config.ts';
import { capturingLogger } from '../../helpers/test-logger.ts';

/** Runs one command module in process, capturing stdout, stderr, the log and the exit code. */
export async function runCli(
  register: (program: Command, overrides?: Partial<ChainCommandDeps>) => void,
  args: readonly string[],
  overrides: Partial<ChainCommandDeps> = {},
): Promise<{ out: string[]; err: string[]; log: Record<string, unknown>[]; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const { logger, lines: records } = capturingLogger();
  const program = new Command('evalpool')
    .exitOverride()
    .configureOutput({ writeOut: (s) => void out.push(s), writeErr: (s) => void err.push(s) });
  register(program, {
    out: (line) => void out.push(line),
    err: (line) => void err.push(line),
    logger: () => logger,
    config: () => testConfig(),
    ...overrides,
  });
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    await program.parseAsync(['node', 'evalpool', ...args]);
  } catch (error) {
    err.push((error as Error).message);
    process.exitCode = 1;
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = before;
  return { out, err, log: records, exitCode };
}

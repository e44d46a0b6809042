import { Command } from 'commander';
import { buildInfo } from '../runtime/build-info.ts';
import { register as registerConfig } from './commands/config.ts';
import { register as registerCrypto } from './commands/crypto.ts';
import { register as registerDb } from './commands/db.ts';
import { register as registerDemo } from './commands/demo.ts';
import { register as registerDemoMiner } from './commands/demo-miner.ts';
import { register as registerEval } from './commands/eval.ts';
import { register as registerMigrate } from './commands/migrate.ts';
import { register as registerMiners } from './commands/miners.ts';
import { register as registerSampling } from './commands/sampling.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerSlots } from './commands/slots.ts';
import { register as registerTasks } from './commands/tasks.ts';
import { register as registerValidator } from './commands/validator.ts';
import { register as registerWeights } from './commands/weights.ts';
import { register as registerWorker } from './commands/worker.ts';
import { register as registerWorkers } from './commands/workers.ts';

/**
 * Each command lives in its own module under `commands/` and registers itself here. A module
 * registers names, flags and help only (commander and nothing heavy): its action imports what
 * it needs when it runs, so that `--help` and a read-only command do not load Postgres, Redis,
 * BullMQ and the chain client (test/cli/lazy-imports.test.ts keeps it so).
 */
const COMMANDS: readonly ((program: Command) => void)[] = [
  registerServe,
  registerWorker,
  registerWorkers,
  registerMigrate,
  registerDb,
  registerConfig,
  registerSampling,
  registerSlots,
  registerTasks,
  registerMiners,
  registerCrypto,
  registerValidator,
  registerWeights,
  registerEval,
  registerDemo,
  registerDemoMiner,
];

/** The `evalpool` command tree (nothing runs until it parses); the examples in the README and docs/ are checked against it. */
export function createProgram(): Command {
  const program = new Command('evalpool')
    .description('Continuous evaluation backend for a Bittensor subnet: task pool, workers, rolling weights')
    .version(buildInfo().version, '-V, --version', 'print the version of evalpool')
    // One error prefix for every message, commander's own included ("error: unknown option").
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'evalpool: ')) });

  for (const register of COMMANDS) register(program);
  return program;
}

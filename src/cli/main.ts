import { Command } from 'commander';
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

/** Each command lives in its own module under `commands/` and registers itself here. */
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

const program = new Command('evalpool')
  .description('Continuous evaluation backend for a Bittensor subnet: task pool, workers, rolling weights')
  .configureOutput({ outputError: (text, write) => write(text) });

for (const register of COMMANDS) register(program);

await program.parseAsync(process.argv);

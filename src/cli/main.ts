import { Command } from 'commander';
import { register as registerConfig } from './commands/config.ts';
import { register as registerDb } from './commands/db.ts';
import { register as registerMigrate } from './commands/migrate.ts';
import { register as registerServe } from './commands/serve.ts';
import { register as registerTasks } from './commands/tasks.ts';

/** Each command lives in its own module under `commands/` and registers itself here. */
const COMMANDS: readonly ((program: Command) => void)[] = [registerServe, registerMigrate, registerDb, registerConfig, registerTasks];

const program = new Command('evalpool')
  .description('Continuous evaluation backend for a Bittensor subnet: task pool, workers, rolling weights')
  .configureOutput({ outputError: (text, write) => write(text) });

for (const register of COMMANDS) register(program);

await program.parseAsync(process.argv);

import type { Command } from 'commander';
import { type OutputOptions, outputFlags } from '../output.ts';
import type { DeleteOptions, FilterOptions } from './tasks-actions.ts';

function withFilters(command: Command): Command {
  return outputFlags(command)
    .option('--miner <hotkey>', "only this miner's tasks")
    .option('--env <id>', 'only this environment (one the pool knows)')
    .option('--older-than <duration>', 'only tasks paused at least this long ago (e.g. 30m, 2h, 1d)');
}

/** `evalpool tasks stats` and `evalpool tasks paused list|delete`: the task pool. */
export function register(program: Command): void {
  const tasks = program.command('tasks').description('inspect and manage the task pool');
  const actions = () => import('./tasks-actions.ts');

  outputFlags(tasks.command('stats'))
    .description('tasks pending, assigned and paused: in total, per env and per miner (as GET /v1/tasks/stats)')
    .action(async (options: OutputOptions) => (await actions()).tasksStats(options));

  const paused = tasks.command('paused').description('paused tasks: failed after their attempts, kept until their TTL or deleted here');

  withFilters(paused.command('list').description('list paused tasks, oldest first, with the reason of their last failure')).action(
    async (options: FilterOptions) => (await actions()).pausedList(program, options),
  );

  withFilters(
    paused
      .command('delete')
      .description('delete paused tasks (the scheduler creates them again if still wanted); asks first without filters'),
  )
    .option('--dry-run', 'show what would be deleted, delete nothing')
    .option('--yes', 'delete every paused task without asking (needed when there is no terminal and no filter)')
    .action(async (options: DeleteOptions) => (await actions()).pausedDelete(program, options));
}

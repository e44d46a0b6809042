import type { Command } from 'commander';
import { deletePausedTasks, findPausedTasks, type PausedFilter, type PausedTask } from '../../pool/paused-tasks.ts';
import { TaskQueues } from '../../pool/task-queues.ts';
import { closeRedis, createRedis } from '../../runtime/redis.ts';
import { waitForRedis } from '../../runtime/wait-ready.ts';
import { loadContext } from '../context.ts';
import { formatTable } from '../format-table.ts';
import { formatAge, parseDuration } from '../parse-duration.ts';
import { runCommand } from '../run-command.ts';

interface FilterOptions {
  miner?: string;
  env?: string;
  olderThan?: string;
}

function filterOf(program: Command, options: FilterOptions): PausedFilter {
  try {
    return parseFilter(options);
  } catch (error) {
    return program.error(`evalpool: ${(error as Error).message}`, { exitCode: 2 });
  }
}

function parseFilter(options: FilterOptions): PausedFilter {
  return {
    ...(options.miner ? { hotkey: options.miner } : {}),
    ...(options.env ? { env: options.env } : {}),
    ...(options.olderThan ? { olderThanMs: parseDuration(options.olderThan, '--older-than') } : {}),
  };
}

function printTable(tasks: readonly PausedTask[], now: number): void {
  if (tasks.length === 0) return;
  const rows = tasks.map((t) => [t.env, t.hotkey, t.revision, t.taskId, new Date(t.pausedAt).toISOString(), formatAge(now - t.pausedAt)]);
  // The whole reason under each row: cut, "circuit of … is open" hid what was wrong with the miner.
  const [header, rule, ...lines] = formatTable(['env', 'miner', 'revision', 'task_id', 'paused_at', 'age'], rows).split('\n');
  console.log([header, rule, ...lines.map((line, i) => `${line}\n  reason: ${tasks[i]!.reason ?? '(none recorded)'}`)].join('\n'));
}

function withFilters(command: Command): Command {
  return command
    .option('--miner <hotkey>', "only this miner's tasks")
    .option('--env <id>', 'only this environment')
    .option('--older-than <duration>', 'only tasks paused at least this long ago (e.g. 30m, 2h, 1d)');
}

/** `evalpool tasks paused list|delete`: ops on paused tasks (failed after their attempts). */
export function register(program: Command): void {
  const tasks = program.command('tasks').description('inspect and manage the task pool');
  const paused = tasks.command('paused').description('paused tasks: failed after their attempts, kept until their TTL or deleted here');

  withFilters(paused.command('list').description('list paused tasks, oldest first')).action(async (options: FilterOptions) => {
    const filter = filterOf(program, options);
    const { config, logger } = loadContext();
    await runCommand(config, async () => {
      const redis = createRedis(config.storage.redisUrl, 'command', logger);
      try {
        await waitForRedis(redis, 5_000);
        const now = Date.now();
        const found = await findPausedTasks(redis, config.storage.queuePrefix, filter, now);
        printTable(found, now);
        console.log(`${found.length} paused task${found.length === 1 ? '' : 's'}`);
      } finally {
        await closeRedis(redis);
      }
    });
  });

  withFilters(paused.command('delete').description('delete paused tasks (the scheduler creates them again if still wanted)'))
    .option('--dry-run', 'show what would be deleted, delete nothing')
    .action(async (options: FilterOptions & { dryRun?: boolean }) => {
      const filter = filterOf(program, options);
      const { config, logger } = loadContext();
      await runCommand(config, async () => {
        const redis = createRedis(config.storage.redisUrl, 'command', logger);
        const queues = new TaskQueues(redis, config.storage.queuePrefix);
        try {
          await waitForRedis(redis, 5_000);
          const now = Date.now();
          const found = await findPausedTasks(redis, config.storage.queuePrefix, filter, now);
          printTable(found, now);
          if (options.dryRun) {
            console.log(`dry run: ${found.length} paused task${found.length === 1 ? '' : 's'} would be deleted`);
            return;
          }
          const deleted = await deletePausedTasks(queues, found);
          console.log(`deleted ${deleted} paused task${deleted === 1 ? '' : 's'}`);
        } finally {
          await queues.close();
          await closeRedis(redis);
        }
      });
    });
}

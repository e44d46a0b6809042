import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { REDIS_START_TIMEOUT_MS } from '../../config/constants.ts';
import { createConfiguredDatabase } from '../../db/database.ts';
import { isKnownHotkey } from '../../db/tables/miners.ts';
import { deletePausedTasks, findPausedTasks, type PausedFilter, type PausedTask, unknownEnvProblem } from '../../pool/paused-tasks.ts';
import { getPoolStats } from '../../pool/pool-stats.ts';
import { errorMessage } from '../../runtime/error-message.ts';
import { formatTable, formatTableLines, TABLE_MAX_WIDTH, wrapText } from '../../runtime/format-table.ts';
import { formatTime } from '../../runtime/format-time.ts';
import { closeRedis, createRedis } from '../../runtime/redis.ts';
import { waitForRedis } from '../../runtime/wait-ready.ts';
import { CommandInputError } from '../command-input-error.ts';
import { confirm } from '../confirm.ts';
import { type CommandContext, loadPrintingContext } from '../context.ts';
import { withExistingDatabase } from '../existing-database.ts';
import { type OutputOptions, printJson, rowsAsJson } from '../output.ts';
import { formatAge, parseDuration } from '../parse-duration.ts';
import { runCommand } from '../run-command.ts';

/** Flags of `tasks paused delete`. */
export interface DeleteOptions extends FilterOptions {
  dryRun?: boolean;
  yes?: boolean;
}

/** The filters of `tasks paused list|delete`. */
export interface FilterOptions extends OutputOptions {
  miner?: string;
  env?: string;
  olderThan?: string;
}

const PAUSED_HEADERS = ['env', 'miner', 'revision', 'task_id', 'paused_at', 'age', 'reason'];

function filterOf(program: Command, options: FilterOptions): PausedFilter {
  try {
    return {
      ...(options.miner ? { hotkey: options.miner } : {}),
      ...(options.env ? { env: options.env } : {}),
      ...(options.olderThan ? { olderThanMs: parseDuration(options.olderThan, '--older-than') } : {}),
    };
  } catch (error) {
    return program.error(`evalpool: ${errorMessage(error)}`, { exitCode: 2 });
  }
}

/** Filters that name nothing (an env without a queue, a hotkey the scheduler never saw) are errors, not "0 paused tasks". */
async function checkFilter(context: CommandContext, redis: Redis, filter: PausedFilter): Promise<void> {
  const prefix = context.config.storage.queuePrefix;
  const envProblem = await unknownEnvProblem(redis, prefix, filter.env);
  if (envProblem !== undefined) throw new CommandInputError(envProblem);
  if (filter.hotkey === undefined) return;
  const hotkey = filter.hotkey;
  // Postgres is opened only to check a --miner filter: the paused tasks themselves are in Redis,
  // so a Postgres outage skips the check (a mistyped hotkey matches nothing) with a warning.
  try {
    await withExistingDatabase(context, async (db) => {
      if (!(await isKnownHotkey(db, hotkey)))
        throw new CommandInputError(
          `unknown hotkey ${hotkey}: the scheduler has never seen it (\`evalpool miners show\` lists the miners)`,
        );
    });
  } catch (error) {
    if (error instanceof CommandInputError) throw error;
    // Said to the operator, not logged: this command logs only errors (context.ts).
    process.stderr.write(
      `warning: could not check the hotkey in Postgres (${errorMessage(error)}); filtering paused tasks by it unchecked\n`,
    );
  }
}

function pausedRows(tasks: readonly PausedTask[], now: number) {
  return tasks.map((t) => [t.env, t.hotkey, t.revision, t.taskId, new Date(t.pausedAt), formatAge(now - t.pausedAt), t.reason]);
}

/**
 * The paused tasks as a table, each row followed by its whole reason, wrapped to the table's 100
 * columns (in one line with `--wide`): cut to a column, "circuit of … is open" hid what was wrong
 * with the miner (the reason is the operator's first question).
 */
function pausedTable(tasks: readonly PausedTask[], now: number, wide: boolean | undefined): string {
  const rows = pausedRows(tasks, now).map((row) => row.slice(0, -1));
  const { head, rows: lines } = formatTableLines(PAUSED_HEADERS.slice(0, -1), rows, { wide });
  const reason = (task: PausedTask): string => {
    const text = task.reason ?? '(none recorded)';
    return wide ? `${REASON_LABEL}${text}` : wrapText(text, TABLE_MAX_WIDTH, ' '.repeat(REASON_LABEL.length), REASON_LABEL);
  };
  return [...head, ...lines.map((line, i) => `${line}\n${reason(tasks[i]!)}`)].join('\n');
}

/** What starts the reason line under each paused task; the wrapped lines are indented to its end. */
const REASON_LABEL = '  reason: ';

async function withRedis(context: CommandContext, body: (redis: Redis) => Promise<void>): Promise<void> {
  const redis = createRedis(context.config.storage.redisUrl, 'command', context.logger);
  try {
    await waitForRedis(redis, REDIS_START_TIMEOUT_MS);
    await body(redis);
  } finally {
    await closeRedis(redis);
  }
}

/** The paused tasks the flags select (after checking `--env`), handed to `body` with Redis open. */
async function withPausedTasks(
  program: Command,
  options: FilterOptions,
  body: (found: PausedTask[], now: number, redis: Redis, prefix: string) => Promise<void>,
): Promise<void> {
  const filter = filterOf(program, options);
  const context = loadPrintingContext();
  const prefix = context.config.storage.queuePrefix;
  await runCommand(context.config, () =>
    withRedis(context, async (redis) => {
      await checkFilter(context, redis, filter);
      const now = Date.now();
      await body(await findPausedTasks(redis, prefix, filter, now), now, redis, prefix);
    }),
  );
}

/** `tasks paused list` (loaded when it runs: see main.ts). */
export async function pausedList(program: Command, options: FilterOptions): Promise<void> {
  await withPausedTasks(program, options, (found, now) => {
    if (options.json) printJson(rowsAsJson(PAUSED_HEADERS, pausedRows(found, now)));
    else {
      if (found.length > 0) console.log(pausedTable(found, now, options.wide));
      console.log(`${found.length} paused task${found.length === 1 ? '' : 's'}`);
    }
    return Promise.resolve();
  });
}

/** `tasks paused delete` (loaded when it runs: see main.ts). */
export async function pausedDelete(program: Command, options: DeleteOptions): Promise<void> {
  const unfiltered = !options.miner && !options.env && !options.olderThan;
  await withPausedTasks(program, options, async (found, now, redis, prefix) => {
    const count = `${found.length} paused task${found.length === 1 ? '' : 's'}`;
    if (!options.json && found.length > 0) console.log(pausedTable(found, now, options.wide));
    if (options.dryRun) {
      if (options.json) printJson({ dry_run: true, deleted: 0, would_delete: rowsAsJson(PAUSED_HEADERS, pausedRows(found, now)) });
      else console.log(`dry run: ${count} would be deleted`);
      return;
    }
    if (found.length > 0 && unfiltered && !(await confirm(`delete all ${count} of every env and miner?`, options.yes))) {
      console.log('nothing deleted');
      return;
    }
    // BullMQ is loaded only to delete: listing and counting read Redis directly.
    const { TaskQueues } = await import('../../pool/task-queues.ts');
    const queues = new TaskQueues(redis, prefix);
    try {
      const deleted = await deletePausedTasks(queues, found);
      if (options.json) printJson({ dry_run: false, deleted });
      else console.log(`deleted ${deleted} paused task${deleted === 1 ? '' : 's'}`);
    } finally {
      await queues.close();
    }
  });
}

/** `tasks stats` (loaded when it runs: see main.ts). */
export async function tasksStats(options: OutputOptions): Promise<void> {
  const context = loadPrintingContext();
  const { config, logger } = context;
  await runCommand(config, async () => {
    // One connection (the three small queries queue on it), opened while Redis connects rather
    // than after: on a busy machine each connection takes tens of ms to set up. Redis is awaited
    // first, so that with both down its error is the one reported, as before.
    const db = createConfiguredDatabase(config.storage, 1, logger);
    const connected = db.connection().execute(() => Promise.resolve());
    connected.catch(() => undefined); // awaited below; handled here if Redis fails first
    try {
      await withRedis(context, async (redis) => {
        await connected;
        const stats = await getPoolStats({ redis, prefix: config.storage.queuePrefix, db, defaultSlots: config.slots.default });
        const counts = (c: { pending: number; assigned: number; paused: number }) => ({
          pending: c.pending,
          assigned: c.assigned,
          paused: c.paused,
          in_flight: c.pending + c.assigned,
        });
        if (options.json) {
          printJson({
            total: counts(stats.totals),
            by_env: Object.fromEntries(stats.envs.map((e) => [e.env, counts(e)])),
            by_miner: Object.fromEntries(stats.miners.map((m) => [m.hotkey, counts(m)])),
          });
          return;
        }
        const t = stats.totals;
        console.log(`tasks: ${t.pending} pending, ${t.assigned} assigned, ${t.paused} paused (at ${formatTime(new Date(stats.takenAt))})`);
        console.log(
          formatTable(
            ['env', 'pending', 'assigned', 'paused', 'list_version'],
            stats.envs.map((e) => [e.env, e.pending, e.assigned, e.paused, e.listVersion]),
            { wide: options.wide },
          ),
        );
        console.log('');
        console.log(
          formatTable(
            ['uid', 'hotkey', 'slots', 'in_flight', 'pending', 'assigned', 'paused', 'circuit'],
            stats.miners.map((m) => [
              m.uid,
              m.hotkey,
              m.slots,
              m.inFlight,
              m.pending,
              m.assigned,
              m.paused,
              m.circuitOpen ? 'open' : 'closed',
            ]),
            { wide: options.wide },
          ),
        );
      });
    } finally {
      await db.destroy();
    }
  });
}

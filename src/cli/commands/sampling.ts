import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { getRecentRotations } from '../../db/tables/rotations.ts';
import { getSamplingLists } from '../../db/tables/sampling-lists.ts';
import { toCurrentList, type CurrentList } from '../../sampling/current-list.ts';
import { loadSamplingDefinitions } from '../../sampling/definitions.ts';
import { ensureSamplingLists } from '../../sampling/ensure-sampling-lists.ts';
import { rotateNow } from '../../sampling/rotate-now.ts';
import { nextRotationAt } from '../../sampling/rotation-due.ts';
import { UnknownSamplingListError } from '../../sampling/sampling-error.ts';
import { loadContext } from '../context.ts';
import { withExistingDatabase } from '../existing-database.ts';
import { formatTable } from '../format-table.ts';
import { formatTime } from '../format-time.ts';
import { runCommand } from '../run-command.ts';

const OPS_ONLY = 'ops only: the current lists are never made public (miners must not know the ids ahead of evaluation)';

function listRow(list: CurrentList): (string | number | boolean)[] {
  return [
    list.envId,
    list.family,
    list.listSize,
    list.scored,
    `${list.rotation.count} every ${list.rotation.intervalSeconds}s`,
    list.version === 0 ? 'never' : formatTime(list.lastRotatedAt),
    formatTime(nextRotationAt(list)),
    list.version,
  ];
}

async function show(db: Kysely<Database>, envId: string | undefined, options: { ids?: boolean; limit: string }): Promise<void> {
  const rows = await getSamplingLists(db);
  if (rows.length === 0) {
    console.log('no sampling lists yet: `evalpool serve` creates them from the definition files on start (or run `evalpool sampling sync`)');
    return;
  }
  const lists = rows.map(toCurrentList).filter((l) => envId === undefined || l.envId === envId);
  if (envId !== undefined && lists.length === 0) throw new UnknownSamplingListError(envId, rows.map((r) => r.env_id));
  console.log(formatTable(['env', 'family', 'size', 'scored', 'rotation', 'last rotation', 'next rotation', 'version'], lists.map(listRow)));
  const list = lists[0];
  if (envId === undefined || !list) return;

  console.log(`\ndataset: task ids [${list.dataset.start}, ${list.dataset.end}); created ${formatTime(list.createdAt)}`);
  if (options.ids) console.log(`current list, oldest first (ops only, never make it public):\n${list.taskIds.join(' ')}`);
  const limit = Math.max(1, Number.parseInt(options.limit, 10) || 20);
  const history = await getRecentRotations(db, envId, limit);
  console.log(`\nrotations, newest first (last ${limit}):`);
  const headers = ['version', 'time', 'reason', 'out', 'in', ...(options.ids ? ['ids out', 'ids in'] : [])];
  console.log(
    formatTable(
      headers,
      history.map((h) => [h.version, formatTime(h.rotated_at), h.reason, h.ids_out.length, h.ids_in.length, ...(options.ids ? [h.ids_out.join(' '), h.ids_in.join(' ')] : [])]),
    ),
  );
}

/** `evalpool sampling show [env]`, `evalpool sampling rotate <env>`, `evalpool sampling sync [--force]`. */
export function register(program: Command): void {
  const sampling = program.command('sampling').description('inspect the sampling lists, rotate one now, or apply the definition files');

  sampling
    .command('show')
    .description('one line per environment (size, rotation, last and next rotation, version); with an env also its rotation history')
    .argument('[env]', 'an environment id, e.g. mujoco/reach-v1')
    .option('--ids', `also print the task ids of the current list and of each rotation (${OPS_ONLY})`)
    .option('--limit <n>', 'rotations shown with an env', '20')
    .action(async (envId: string | undefined, options: { ids?: boolean; limit: string }) => {
      const context = loadContext();
      await runCommand(context.config, () => withExistingDatabase(context, (db) => show(db, envId, options)));
    });

  sampling
    .command('rotate')
    .description('ops: rotate one environment\'s list now (FIFO: the oldest ids leave, new random ids join), whether due or not')
    .argument('<env>', 'an environment id, e.g. mujoco/reach-v1')
    .action(async (envId: string) => {
      const context = loadContext();
      await runCommand(context.config, () =>
        withExistingDatabase(context, async (db) => {
          const rotation = await rotateNow(db, envId, 'ops');
          console.log(
            `rotated ${envId}: version ${rotation.version - 1} → ${rotation.version}, ${rotation.idsOut.length} ids out, ${rotation.idsIn.length} ids in ` +
              '(the scheduler removes pending tasks of the ids that left on its next tick)',
          );
        }),
      );
    });

  sampling
    .command('sync')
    .description('apply the definition files (EVALPOOL_SAMPLING_LISTS_DIR) to the stored lists, as `serve` does on start; prints what changed')
    .option('--force', 'replace a list whose dataset or list_size changed with a new one (otherwise refused)')
    .action(async (options: { force?: boolean }) => {
      const context = loadContext();
      await runCommand(context.config, () =>
        withExistingDatabase(context, async (db) => {
          const definitions = await loadSamplingDefinitions(context.config.scheduler.samplingListsDir);
          // This command prints the outcome itself; the log lines would only repeat it.
          const quiet = context.logger.child({ component: 'sampling' }, { level: 'silent' });
          const sync = await ensureSamplingLists(db, definitions, quiet, { force: options.force ?? false });
          const rows = [
            ...sync.created.map((env) => [env, 'created', '']),
            ...sync.updated.map((u) => [u.envId, 'updated', u.changes.join('; ')]),
            ...sync.replaced.map((u) => [u.envId, 'replaced (forced)', u.changes.join('; ')]),
            ...sync.refused.map((u) => [u.envId, 'REFUSED', u.changes.join('; ')]),
            ...sync.unchanged.map((env) => [env, 'unchanged', '']),
            ...sync.withoutDefinition.map((env) => [env, 'no definition file', 'kept as it is']),
          ];
          console.log(formatTable(['env', 'action', 'changes'], rows));
          if (sync.refused.length > 0) {
            for (const r of sync.refused) process.stderr.write(`evalpool: ${r.message}\n`);
            process.exitCode = 1;
          }
        }),
      );
    });
}

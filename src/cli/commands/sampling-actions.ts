import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.ts';
import { getRecentRotations } from '../../db/tables/rotations.ts';
import { getSamplingLists } from '../../db/tables/sampling-lists.ts';
import { type Cell, formatTable } from '../../runtime/format-table.ts';
import { formatTime } from '../../runtime/format-time.ts';
import { type CurrentList, toCurrentList } from '../../sampling/current-list.ts';
import { loadSamplingDefinitions } from '../../sampling/definitions.ts';
import { ensureSamplingLists } from '../../sampling/ensure-sampling-lists.ts';
import { rotateNow } from '../../sampling/rotate-now.ts';
import { nextRotationAt } from '../../sampling/rotation-due.ts';
import { UnknownSamplingListError } from '../../sampling/sampling-error.ts';
import { loadPrintingContext } from '../context.ts';
import { withExistingDatabase } from '../existing-database.ts';
import type { OutputOptions } from '../output.ts';
import { printJson, rowsAsJson } from '../output.ts';
import { runCommand } from '../run-command.ts';

/** Flags of `sampling show`. */
export interface SamplingShowOptions extends OutputOptions {
  ids?: boolean;
  limit: string;
}

const SYNC_HEADERS = ['env', 'action', 'changes'];

const LIST_HEADERS = ['env', 'family', 'size', 'scored', 'rotation', 'last_rotation', 'next_rotation', 'version'];

function listRow(list: CurrentList): Cell[] {
  return [
    list.envId,
    list.family,
    list.listSize,
    list.scored,
    `${list.rotation.count} every ${list.rotation.intervalSeconds}s`,
    list.version === 0 ? 'never' : list.lastRotatedAt,
    nextRotationAt(list),
    list.version,
  ];
}

async function show(db: Kysely<Database>, envId: string | undefined, options: SamplingShowOptions): Promise<void> {
  const rows = await getSamplingLists(db);
  if (rows.length === 0 && envId === undefined) {
    if (options.json) printJson([]);
    else
      console.log(
        'no sampling lists yet: `evalpool serve` creates them from the definition files on start (or run `evalpool sampling sync`)',
      );
    return;
  }
  const lists = rows.map(toCurrentList).filter((l) => envId === undefined || l.envId === envId);
  if (envId !== undefined && lists.length === 0)
    throw new UnknownSamplingListError(
      envId,
      rows.map((r) => r.env_id),
    );
  const list = lists[0];
  if (envId === undefined || !list) {
    if (options.json) printJson(rowsAsJson(LIST_HEADERS, lists.map(listRow)));
    else console.log(formatTable(LIST_HEADERS, lists.map(listRow), { wide: options.wide }));
    return;
  }
  const limit = Math.max(1, Number.parseInt(options.limit, 10) || 20);
  const history = await getRecentRotations(db, envId, limit);
  const headers = ['version', 'time', 'reason', 'out', 'in', ...(options.ids ? ['ids_out', 'ids_in'] : [])];
  const historyRows = history.map((h) => [
    h.version,
    h.rotated_at,
    h.reason,
    h.ids_out.length,
    h.ids_in.length,
    ...(options.ids ? [h.ids_out.join(' '), h.ids_in.join(' ')] : []),
  ]);
  if (options.json) {
    printJson({
      ...rowsAsJson(LIST_HEADERS, [listRow(list)])[0],
      dataset: { start: list.dataset.start, end: list.dataset.end },
      created_at: list.createdAt,
      ...(options.ids ? { task_ids: list.taskIds } : {}),
      rotations: rowsAsJson(headers, historyRows),
    });
    return;
  }
  console.log(formatTable(LIST_HEADERS, [listRow(list)], { wide: options.wide }));
  console.log(`\ndataset: task ids [${list.dataset.start}, ${list.dataset.end}); created ${formatTime(list.createdAt)}`);
  if (options.ids) console.log(`current list, oldest first (ops only, never make it public):\n${list.taskIds.join(' ')}`);
  console.log(`\nrotations, newest first (last ${limit}):`);
  // Ids asked for are printed whole: an elided id list is no use.
  console.log(formatTable(headers, historyRows, { wide: options.wide === true || options.ids === true }));
}

/** `sampling show` (loaded when it runs: see main.ts). */
export async function samplingShow(envId: string | undefined, options: SamplingShowOptions): Promise<void> {
  const context = loadPrintingContext();
  await runCommand(context.config, () => withExistingDatabase(context, (db) => show(db, envId, options)));
}

/** `sampling rotate` (loaded when it runs: see main.ts). */
export async function samplingRotate(envId: string, options: OutputOptions = {}): Promise<void> {
  const context = loadPrintingContext();
  await runCommand(context.config, () =>
    withExistingDatabase(context, async (db) => {
      const rotation = await rotateNow(db, envId, 'ops');
      // Counts only, as in the table: the ids are ops-only (`sampling show --ids`).
      if (options.json) {
        printJson({
          env: envId,
          from_version: rotation.version - 1,
          version: rotation.version,
          ids_out: rotation.idsOut.length,
          ids_in: rotation.idsIn.length,
        });
        return;
      }
      console.log(
        `rotated ${envId}: version ${rotation.version - 1} → ${rotation.version}, ${rotation.idsOut.length} ids out, ${rotation.idsIn.length} ids in ` +
          '(the scheduler removes pending tasks of the ids that left on its next tick)',
      );
    }),
  );
}

/** `sampling sync` (loaded when it runs: see main.ts). */
export async function samplingSync(options: OutputOptions & { force?: boolean }): Promise<void> {
  const context = loadPrintingContext();
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
      if (options.json) printJson(rowsAsJson(SYNC_HEADERS, rows));
      else console.log(formatTable(SYNC_HEADERS, rows, { wide: options.wide }));
      if (sync.refused.length > 0) {
        for (const r of sync.refused) process.stderr.write(`evalpool: ${r.message}\n`);
        process.exitCode = 1;
      }
    }),
  );
}
